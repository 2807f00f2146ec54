import { randomUUID } from 'node:crypto';
import { deterministicId, renderTemplate, type FieldError, type Templates } from '@closeloop/contracts';
import type { CustomerContact } from './contact.repository';
import type { MessageRequest } from './message.repository';

/** Twilio refuses a longer body (about 10 segments); we refuse it first, with the reason. */
export const SMS_MAX_CHARS = 1_600;
const KEY = /^[\x21-\x7e]{1,200}$/;

export type MessageRefusal =
  | { status: 400; field: string; reason: string }
  | { status: 409; reason: string }
  | { status: 501; reason: string };

export interface Composed {
  body: string;
  template?: string;
  /** the template entry the text came from; the customer's locale for a text of the agent's own */
  locale: string | null;
  recipient: { customerId: string; phone: string };
}

export interface ComposeInput {
  request: MessageRequest;
  ticket: { id: string; touchpoint: string; customerId: string; customerName: string | null; customerLocale: string | null };
  contact: CustomerContact | null;
  agentName: string;
  templates: Templates;
}

/** Exactly one of `template` and `body` (the DTO has checked each on its own). */
export function requestShapeErrors(r: { template?: string; body?: string }): FieldError[] {
  if (r.template !== undefined && r.body !== undefined) return [{ field: 'template', message: 'give either a template or a body, not both' }];
  if (r.template === undefined && r.body === undefined) return [{ field: 'body', message: 'give a template name or a body' }];
  return [];
}

/** The `Idempotency-Key` header: absent, or 1–200 visible ASCII characters. */
export function idempotencyKeyOf(header: string | string[] | undefined): { ok: true; key?: string } | { ok: false; error: FieldError } {
  if (header === undefined) return { ok: true };
  if (typeof header === 'string' && KEY.test(header)) return { ok: true, key: header };
  return { ok: false, error: { field: 'Idempotency-Key', message: 'must be 1 to 200 visible ASCII characters, given once' } };
}

/**
 * One intent, one message: with an Idempotency-Key the id is a function of (ticket, agent, key), so a retried POST
 * names the message it already created; without one every request is a new message.
 */
export function messageIdFor(ticketId: string, agentId: string, key: string | undefined): string {
  return key === undefined ? randomUUID() : deterministicId('customer-message', ticketId, agentId, key);
}

/** A retry must ask for the same message as the first request with its key. */
export function sameRequest(a: MessageRequest, b: MessageRequest): boolean {
  return a.channel === b.channel && (a.template ?? null) === (b.template ?? null) && (a.body ?? null) === (b.body ?? null);
}

/**
 * The text and recipient of a message to the ticket's customer, or why not (SPEC §11): email is a later slice
 * (501); a template that does not render is the request's fault (400, naming `template`); a customer without a
 * phone number or who opted out of SMS cannot be texted (409 with that reason).
 */
export function composeMessage(i: ComposeInput): { ok: true; message: Composed } | { ok: false; refusal: MessageRefusal } {
  if (i.request.channel === 'email') return refuse({ status: 501, reason: 'email is not available yet: customers can be texted (channel "sms") for now' });
  const locale = i.contact?.locale ?? i.ticket.customerLocale ?? null;
  let body: string;
  let template: string | undefined;
  let from = locale;
  if (i.request.template !== undefined) {
    const r = renderTemplate(i.templates, i.request.template, 'sms', locale, {
      'customer.name': i.contact?.name ?? i.ticket.customerName ?? undefined,
      'agent.name': i.agentName,
      touchpoint: i.ticket.touchpoint,
      'ticket.id': i.ticket.id,
    });
    if (!r.ok) return refuse({ status: 400, field: 'template', reason: r.message });
    body = r.message.text;
    template = r.message.template;
    from = r.message.locale;
  } else {
    body = i.request.body ?? '';
  }
  if (body.length > SMS_MAX_CHARS) {
    return refuse({ status: 400, field: template ? 'template' : 'body', reason: `the text is ${body.length} characters long; an SMS may have ${SMS_MAX_CHARS}` });
  }
  const phone = i.contact?.phone;
  if (!phone) return refuse({ status: 409, reason: 'the customer has no phone number: none of their feedback gave one' });
  if (i.contact?.smsOptedOutAt) return refuse({ status: 409, reason: 'the customer has opted out of SMS' });
  return { ok: true, message: { body, ...(template ? { template } : {}), locale: from, recipient: { customerId: i.ticket.customerId, phone } } };
}

function refuse(refusal: MessageRefusal): { ok: false; refusal: MessageRefusal } {
  return { ok: false, refusal };
}
