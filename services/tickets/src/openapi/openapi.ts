import { applyDecorators, type INestApplication } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { CUSTOMER_MESSAGE_CHANNELS, ERASURE_STATUSES, ERASURE_STORES, METRICS, SEVERITIES, TICKET_STATUSES } from '@closeloop/contracts';
import { PROBLEM_SCHEMAS, problemResponse, schemaRef as ref, setupOpenApiDocs, type OpenApiOptions } from '@closeloop/platform';
import { CSV_COLUMNS } from '../export/csv';

/** The agent API's OpenAPI document (SPEC §12), built the platform's one way (libs/platform `openapi.ts`, as ingest). */
export const AGENT_BEARER = 'agent-token';

const nullable = (s: SchemaObject): SchemaObject => ({ ...s, nullable: true });
const date = { type: 'string', format: 'date-time' } as const;
const person: SchemaObject = { type: 'object', required: ['id', 'name'], properties: { id: { type: 'string' }, name: { type: 'string' } } };

export const SCHEMAS = {
  ...PROBLEM_SCHEMAS,
  Ticket: {
    type: 'object',
    description: 'A follow-up ticket (absent values are null)',
    properties: {
      id: { type: 'string', format: 'uuid' },
      status: { type: 'string', enum: [...TICKET_STATUSES] },
      severity: { type: 'string', enum: [...SEVERITIES] },
      team: { type: 'string' },
      touchpoint: { type: 'string' },
      customer: { type: 'object', properties: { id: { type: 'string' }, name: nullable({ type: 'string' }), locale: nullable({ type: 'string' }) } },
      customerErased: { type: 'boolean', description: 'the customer\'s personal data was erased (SPEC §13: an erasure or retention); name, comment and notes read ‹erased›' },
      assignee: nullable(person),
      metric: { type: 'string', enum: [...METRICS] },
      score: { type: 'integer' },
      comment: nullable({ type: 'string' }),
      feedbackCount: { type: 'integer', minimum: 1 },
      openedAt: date, claimedAt: nullable(date), resolvedAt: nullable(date), firstResponseDue: date, resolveDue: date,
      firstResponseBreachedAt: nullable(date), resolveBreachedAt: nullable(date),
      rootCause: nullable({ type: 'string' }), resolutionNote: nullable({ type: 'string' }), customerContacted: nullable({ type: 'boolean' }),
      reopenCount: { type: 'integer' }, version: { type: 'integer', minimum: 1 }, updatedAt: date,
    },
  },
  TicketAnswer: { type: 'object', required: ['ticket'], properties: { ticket: ref('Ticket') } },
  TicketList: {
    type: 'object', required: ['items', 'nextCursor'],
    properties: { items: { type: 'array', items: ref('Ticket') }, nextCursor: nullable({ type: 'string', description: 'pass back unchanged for the next page' }) },
  },
  TicketDetail: {
    type: 'object', required: ['ticket', 'feedback', 'timeline'],
    properties: {
      ticket: ref('Ticket'),
      feedback: { type: 'array', items: { type: 'object', additionalProperties: true, description: 'each feedback on the ticket, its latest revision' } },
      timeline: {
        type: 'array', description: 'oldest first',
        items: {
          type: 'object', required: ['id', 'at', 'kind', 'type', 'summary'],
          properties: {
            id: { type: 'string' }, at: date, kind: { type: 'string', enum: ['event', 'note', 'delivery'] }, type: { type: 'string' },
            actor: nullable({ type: 'object', additionalProperties: true }),
            summary: { type: 'string', description: 'what happened, in English' },
            summaryParts: {
              type: 'array', description: 'the catalog messages (SPEC §14) the summary is made of, to show it in another language; empty for entries written before',
              items: { type: 'object', required: ['key', 'args'], properties: { key: { type: 'string' }, args: { type: 'object', additionalProperties: true } } },
            },
            data: { type: 'object', additionalProperties: true },
          },
        },
      },
    },
  },
  Me: {
    type: 'object', required: ['agent', 'permissions'],
    properties: {
      agent: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, team: { type: 'string' }, role: { type: 'string', enum: ['agent', 'lead', 'ops', 'admin'] } } },
      permissions: { type: 'array', items: { type: 'string' } },
    },
  },
  AssignBody: {
    type: 'object', additionalProperties: false, required: ['agentId'],
    properties: { agentId: { type: 'string', minLength: 1, maxLength: 200, description: 'an agent or lead of the ticket\'s team' } },
  },
  ResolveBody: {
    type: 'object', additionalProperties: false, required: ['rootCause'],
    properties: {
      rootCause: { type: 'string', description: 'one of the routing file\'s rootCauses' }, note: { type: 'string', maxLength: 10_000 },
      customerContacted: { type: 'boolean' }, recheck: { type: 'boolean', description: 'send the recheck template after the team\'s recheckAfter (SPEC §11)' },
    },
  },
  ReopenBody: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: { type: 'string', minLength: 1 } } },
  NoteBody: { type: 'object', additionalProperties: false, required: ['body'], properties: { body: { type: 'string', minLength: 1, maxLength: 10_000 } } },
  NoteCreated: {
    type: 'object', required: ['note', 'ticket'],
    properties: {
      note: { type: 'object', properties: { id: { type: 'string' }, ticketId: { type: 'string' }, author: person, body: { type: 'string' }, createdAt: date } },
      ticket: ref('Ticket'),
    },
  },
  MessageBody: {
    type: 'object', additionalProperties: false, required: ['channel'], description: 'a `template` or a `body`, not both',
    properties: {
      channel: { type: 'string', enum: [...CUSTOMER_MESSAGE_CHANNELS] }, template: { type: 'string' }, body: { type: 'string' },
      subject: { type: 'string', description: 'email with a body only' },
    },
  },
  MessageAccepted: {
    type: 'object', required: ['messageId', 'duplicate', 'message'],
    properties: { messageId: { type: 'string', format: 'uuid' }, duplicate: { type: 'boolean' }, message: { type: 'object', additionalProperties: true } },
  },
  ReportSummary: { type: 'object', additionalProperties: true, description: 'counts, medians and rates over the window (services/tickets/README.md)' },
  ReportTimeseries: { type: 'object', additionalProperties: true, description: 'tickets opened and resolved per day, NPS per touchpoint per week, time-to-claim buckets (services/tickets/README.md)' },
  ErasureAccepted: { type: 'object', required: ['erasureId'], properties: { erasureId: { type: 'string', format: 'uuid' } } },
  Erasure: {
    type: 'object', required: ['erasureId', 'customerId', 'requestedBy', 'requestedAt', 'status', 'stores'],
    description: 'SPEC §13: failed as soon as a store failed (POST the erase again to retry it), done once every store is (the customer\'s key, `kafka`, last)',
    properties: {
      erasureId: { type: 'string', format: 'uuid' }, customerId: { type: 'string' }, requestedBy: { type: 'string' }, requestedAt: date,
      status: { type: 'string', enum: [...ERASURE_STATUSES] },
      stores: {
        type: 'object', required: [...ERASURE_STORES],
        properties: Object.fromEntries(ERASURE_STORES.map((s) => [s, {
          type: 'object', required: ['status'],
          properties: { status: { type: 'string', enum: [...ERASURE_STATUSES] }, erased: { type: 'integer', minimum: 0 }, reason: { type: 'string' }, at: date },
        }])),
      },
    },
  },
  TrendList: { type: 'object', additionalProperties: true, description: '{items: [{id, team, group, status, count, peak, baseline, ticketIds, openedAt, endedAt}]} newest first (SPEC §12 trend alerts)' },
} satisfies Record<string, SchemaObject>;

type Problem = 400 | 403 | 404 | 409 | 422;
const PROBLEMS: Record<Problem, string> = {
  400: 'Invalid query or body: `errors` names every bad field',
  403: 'The caller\'s role does not allow it: `requiredRoles` names the roles that do',
  404: 'No such ticket (or erasure)',
  409: 'The ticket\'s state does not allow it: `detail` says why',
  422: 'Well-formed but not applicable: `errors` names the field',
};

/** One route's documentation: the operation, its body, its success answer, its problems (401 and 429 on every one). */
export function ApiRoute(o: { summary: string; body?: keyof typeof SCHEMAS; ok: { status: number; schema?: keyof typeof SCHEMAS; description?: string }; problems?: Problem[] }) {
  return applyDecorators(
    ApiOperation({ summary: o.summary }),
    ...(o.body ? [ApiBody({ schema: ref(o.body) })] : []),
    ApiResponse({ status: o.ok.status, description: o.ok.description ?? 'OK', ...(o.ok.schema ? { schema: ref(o.ok.schema) } : {}) }),
    ApiResponse({ status: 401, ...problemResponse('Missing or unknown API token') }),
    ApiResponse({ status: 429, ...problemResponse('Too many bad tokens from this address', { 'Retry-After': { description: 'seconds', schema: { type: 'integer' } } }) }),
    ...(o.problems ?? []).map((s) => ApiResponse({ status: s, ...problemResponse(PROBLEMS[s]) })),
  );
}

/** The CSV answer of the export (not JSON). */
export function ApiCsv() {
  return applyDecorators(
    ApiProduces('text/csv'),
    ApiResponse({
      status: 200, description: `RFC 4180, UTF-8 with a BOM, Content-Disposition: attachment; columns: ${CSV_COLUMNS.join(', ')}`,
      content: { 'text/csv': { schema: { type: 'string' } } },
    }),
  );
}

export const AgentApi = (tag: string) => applyDecorators(ApiTags(tag), ApiBearerAuth(AGENT_BEARER));

export const TICKETS_DOCS: OpenApiOptions = {
  title: 'Closeloop agent API',
  description:
    'Tickets for unhappy customers (SPEC §6, §11, §12): list, read, claim, assign, resolve, reopen, notes, messages to the customer, ' +
    'the CSV export, the reports and the erasure of a customer (SPEC §13). Every /v1 route takes an agent\'s API token; what a role may do is in services/tickets/README.md. ' +
    'Errors are application/problem+json. Health: GET /health/live, GET /health/ready; metrics: GET /metrics.',
  bearers: { [AGENT_BEARER]: 'An agent\'s API token (API_TOKENS)' },
  schemas: SCHEMAS,
};

export function setupTicketsOpenApi(app: INestApplication): void {
  setupOpenApiDocs(app, TICKETS_DOCS);
}
