import { INestApplication, Type } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { METRICS, METRIC_SCALES, SOURCE_KINDS } from '@closeloop/contracts';
import { PROBLEM_SCHEMAS, buildOpenApiDocument, problemResponse, setupOpenApiDocs } from '@closeloop/platform';
import { MAX_BATCH_ITEMS, MAX_BODY_BYTES } from '../config';
import { DELIVERY_OUTCOMES } from '../sources/deliveries/outcome';

export const BEARER = 'ingest-key';
export const AGENT_BEARER = 'agent-token';
type SchemaName = 'Customer' | 'Feedback' | 'Accepted' | 'FieldError' | 'ItemErrors' | 'BatchRequest' | 'BatchResponse' | 'Problem'
  | 'OutcomeCounts' | 'SourceSummary' | 'SourceList' | 'SourceStats' | 'Delivery' | 'DeliveryList' | 'KeptItem' | 'KeptList' | 'KeptPayload'
  | 'Replayed' | 'ReplayIgnored';
export const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });

/** The example of SPEC §4; a unit test keeps it valid against the contract's FeedbackDto. */
export const FEEDBACK_EXAMPLE = {
  source: 'questionpro', externalId: 'resp-81723', touchpoint: 'checkout', channel: 'web', metric: 'nps', score: 3,
  comment: 'Garsonlar çok kaba, yemek 40 dakika sürdü',
  customer: { id: 'c-42', name: 'Deniz', email: 'd@example.com', phone: '+905551234567', locale: 'tr' },
  respondedAt: '2026-11-23T10:00:00Z', attributes: { store: 'istanbul-1', vip: true },
};

const scales = METRICS.map((m) => `${m} ${METRIC_SCALES[m].min}–${METRIC_SCALES[m].max}`).join(', ');

/**
 * Hand-written schemas for the documentation. Validation itself is the contract's class-validator DTO
 * (contracts cannot carry Nest decorators); a unit test checks this schema and the DTO agree on a table of bodies.
 */
export const SCHEMAS = {
  ...PROBLEM_SCHEMAS, // FieldError and Problem: the same in every service
  Customer: {
    type: 'object', additionalProperties: false, required: ['id'],
    properties: {
      id: { type: 'string', minLength: 1, maxLength: 200, description: 'Your id of the customer; events are keyed by it' },
      name: { type: 'string', maxLength: 200 },
      email: { type: 'string', format: 'email' },
      phone: { type: 'string', pattern: '^\\+[1-9]\\d{6,14}$', description: 'E.164' },
      locale: { type: 'string', maxLength: 35, description: 'BCP 47 language tag' },
    },
  },
  Feedback: {
    type: 'object', additionalProperties: false,
    required: ['source', 'externalId', 'touchpoint', 'metric', 'score', 'customer', 'respondedAt'],
    description: 'One customer response. Unknown fields are refused; `attributes` is free-form.',
    properties: {
      source: { type: 'string', minLength: 1, maxLength: 100, description: 'The survey tool or system, e.g. questionpro' },
      externalId: { type: 'string', minLength: 1, maxLength: 200, description: 'The response id in the source; (source, externalId) identifies the feedback' },
      touchpoint: { type: 'string', minLength: 1, maxLength: 100, description: 'Where the customer met you, e.g. checkout' },
      channel: { type: 'string', maxLength: 50, description: 'e.g. web, sms, kiosk' },
      metric: { type: 'string', enum: [...METRICS] },
      score: { type: 'integer', description: `An integer in the metric's scale: ${scales}` },
      comment: { type: 'string', maxLength: 10_000 },
      customer: ref('Customer'),
      respondedAt: { type: 'string', format: 'date-time', description: 'ISO-8601' },
      attributes: { type: 'object', additionalProperties: true, description: 'Anything else, passed downstream as is (e.g. {"vip": true} raises severity)' },
    },
    example: FEEDBACK_EXAMPLE,
  },
  Accepted: {
    type: 'object', required: ['feedbackId', 'duplicate', 'revision'],
    properties: {
      feedbackId: { type: 'string', format: 'uuid', description: 'Derived from (source, externalId): a resubmission gets the same id' },
      duplicate: { type: 'boolean', description: 'true when the score and comment are those of this feedback\'s latest revision (nothing was sent again)' },
      revision: {
        type: 'integer', minimum: 1,
        description: '1 for a new (source, externalId); a changed score or comment is the next revision of the same feedback, re-scored, updating its ticket (SPEC §10)',
      },
    },
  },
  ItemErrors: {
    type: 'object', required: ['errors'],
    properties: { errors: { type: 'array', items: ref('FieldError') } },
  },
  BatchRequest: {
    type: 'object', additionalProperties: false, required: ['items'],
    properties: { items: { type: 'array', minItems: 1, maxItems: MAX_BATCH_ITEMS, items: ref('Feedback') } },
  },
  BatchResponse: {
    type: 'object', required: ['results'],
    properties: {
      results: {
        type: 'array', description: 'One result per item, in request order',
        items: { oneOf: [ref('Accepted'), ref('ItemErrors')] },
      },
    },
  },
  OutcomeCounts: {
    type: 'object', required: ['received', ...DELIVERY_OUTCOMES],
    description: 'Deliveries by outcome; received is their sum. rejected = 401 and the other 4xx refusals; unavailable = 503',
    properties: Object.fromEntries(['received', ...DELIVERY_OUTCOMES].map((o) => [o, { type: 'integer', minimum: 0 }])),
  },
  SourceSummary: {
    type: 'object', required: ['id', 'kind', 'touchpoint', 'metric', 'webhook', 'last24h', 'kept'],
    properties: {
      id: { type: 'string', example: 'tf-checkout' },
      kind: { type: 'string', enum: [...SOURCE_KINDS] },
      touchpoint: { type: 'string', nullable: true },
      metric: { type: 'string', enum: [...METRICS] },
      webhook: { type: 'string', example: '/v1/sources/tf-checkout', description: 'The path the survey tool posts to' },
      last24h: ref('OutcomeCounts'),
      kept: {
        type: 'object', required: ['kept', 'waiting', 'dropped'],
        properties: {
          kept: { type: 'integer', description: 'Unmappable payloads kept' },
          waiting: { type: 'integer', description: '…of which not replayed yet' },
          dropped: { type: 'integer', description: 'Dropped to stay within the count and age bounds, ever' },
        },
      },
    },
  },
  SourceList: {
    type: 'object', required: ['since', 'sources'],
    properties: { since: { type: 'string', format: 'date-time', description: 'Start of the 24 hourly buckets counted' }, sources: { type: 'array', items: ref('SourceSummary') } },
  },
  SourceStats: {
    type: 'object', required: ['source', 'hours', 'buckets', 'totals'],
    properties: {
      source: { type: 'string' },
      hours: { type: 'integer' },
      buckets: {
        type: 'array', description: 'One per hour (UTC) of the window, oldest first, zeros included',
        items: { allOf: [{ type: 'object', required: ['hour'], properties: { hour: { type: 'string', format: 'date-time' } } }, ref('OutcomeCounts')] },
      },
      totals: ref('OutcomeCounts'),
    },
  },
  Delivery: {
    type: 'object', required: ['receivedAt', 'outcome', 'status', 'reason', 'feedbackId', 'keptId', 'bytes'],
    description: 'What happened to one delivery; never its body, a header or a secret. A 401 leaves no row, only a count',
    properties: {
      receivedAt: { type: 'string', format: 'date-time' },
      outcome: { type: 'string', enum: [...DELIVERY_OUTCOMES] },
      status: { type: 'integer', example: 202 },
      reason: { type: 'string', nullable: true },
      feedbackId: { type: 'string', nullable: true },
      keptId: { type: 'string', format: 'uuid', nullable: true, description: 'The kept payload of a 422' },
      bytes: { type: 'integer' },
    },
  },
  DeliveryList: { type: 'object', required: ['source', 'deliveries'], properties: { source: { type: 'string' }, deliveries: { type: 'array', items: ref('Delivery') } } },
  KeptItem: {
    type: 'object', required: ['id', 'kind', 'receivedAt', 'contentType', 'reason', 'errors', 'size', 'replayedAt', 'replayOutcome', 'feedbackId'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      kind: { type: 'string', enum: [...SOURCE_KINDS] },
      receivedAt: { type: 'string', format: 'date-time' },
      contentType: { type: 'string' },
      reason: { type: 'string', description: 'Why it is kept (the latest replay\'s reason once replayed unsuccessfully)' },
      errors: { type: 'array', items: ref('FieldError') },
      size: { type: 'integer', description: 'Bytes kept: the body plus any fetched answers' },
      replayedAt: { type: 'string', format: 'date-time', nullable: true },
      replayOutcome: { type: 'string', enum: ['accepted', 'duplicate', 'ignored'], nullable: true },
      feedbackId: { type: 'string', nullable: true, description: 'The feedback its replay became' },
    },
  },
  KeptList: { type: 'object', required: ['source', 'kept'], properties: { source: { type: 'string' }, kept: { type: 'array', items: ref('KeptItem') } } },
  KeptPayload: {
    allOf: [ref('KeptItem'), {
      type: 'object', required: ['source', 'body', 'fetched'],
      properties: {
        source: { type: 'string' },
        body: { type: 'string', description: 'The body as received (UTF-8 text)' },
        fetched: { type: 'string', nullable: true, description: 'qualtrics / surveymonkey: the answers fetched for it (JSON text)' },
      },
    }],
  },
  Replayed: {
    type: 'object', required: ['feedbackId', 'duplicate', 'keptId', 'replayedAt'],
    properties: {
      feedbackId: { type: 'string' },
      duplicate: { type: 'boolean', description: 'true when it had been replayed (or accepted) before: nothing was published again' },
      keptId: { type: 'string', format: 'uuid' },
      replayedAt: { type: 'string', format: 'date-time' },
    },
  },
  ReplayIgnored: {
    type: 'object', required: ['ignored', 'keptId', 'replayedAt'],
    properties: { ignored: { type: 'string' }, keptId: { type: 'string', format: 'uuid' }, replayedAt: { type: 'string', format: 'date-time' } },
  },
} satisfies Record<SchemaName, SchemaObject>;

const problem = problemResponse; // the platform's: every service answers the same RFC 9457 problem

/** Responses shared by both endpoints (the 2xx and 400 are declared per endpoint). */
export const COMMON_PROBLEMS = {
  401: problem('Missing or unknown API key', { 'WWW-Authenticate': { description: 'Bearer challenge', schema: { type: 'string' } } }),
  413: problem(`Body larger than ${MAX_BODY_BYTES / (1024 * 1024)} MiB`),
  415: problem('Content-Type is not application/json (UTF-8, uncompressed)'),
  429: problem('Over the per-key rate limit', { 'Retry-After': { description: 'seconds', schema: { type: 'integer' } } }),
  503: problem('Kafka did not acknowledge: nothing was accepted, resubmit later (safe: same ids)', {
    'Retry-After': { description: 'seconds', schema: { type: 'integer' } },
  }),
};
export { problem as problemResponse };

const INGEST_DOCS = {
  title: 'Closeloop ingest API',
  description:
    'Feedback intake (SPEC §4). A 202/200 is sent only after Kafka acknowledged the feedback.received event (acks=all). ' +
    'feedbackId is derived from (source, externalId), so resubmitting is safe and never opens a second ticket. ' +
    'Sources (ops, SPEC §10): what ingest recorded about the survey tools\' deliveries, their kept unmappable payloads, and Replay; ' +
    'these take an agent\'s API token. The survey tools\' own POST /v1/sources/{id} is documented in docs/sources.md. ' +
    'Health: GET /health/live, GET /health/ready; metrics: GET /metrics.',
  bearers: { [BEARER]: 'An ingest API key (INGEST_API_KEYS)', [AGENT_BEARER]: 'An agent\'s API token (API_TOKENS)' },
  schemas: SCHEMAS,
};

export function openApiDocument(app: INestApplication, include: Type<unknown>[]): OpenAPIObject {
  return buildOpenApiDocument(app, { ...INGEST_DOCS, include });
}

/** Swagger UI at /docs, the document at /docs-json (libs/platform `setupOpenApiDocs`). */
export function setupOpenApi(app: INestApplication, include: Type<unknown>[]): void {
  setupOpenApiDocs(app, { ...INGEST_DOCS, include });
}
