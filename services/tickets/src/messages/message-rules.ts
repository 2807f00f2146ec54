import { randomUUID } from 'node:crypto';
import { deterministicId, renderTemplate, type FieldError, type Templates } from '@closeloop/contracts';
import type { CustomerContact } from './contact.repository';
import type { MessageRequest } from './message.repository';

/** Twilio refuses a longer body (about 10 segments); we refuse it first, with the reason. */
export const SMS_MAX_CHARS = 1_600;
/** An email's text: long enough for any letter, short enough for the event that carries it. */
export const EMAIL_MAX_CHARS = 10_000;
const KEY = /^[\x21-\x7e]{1,200}$/;

export type MessageRefusal =
  | { status: 400; field: string; reason: string }
  | { status: 409; reason: string }
  | { status: 501; reason: string };

export interface Composed {
  body: string;
  /** email only */
  subject?: string;
  template?: string;
  /** the template entry the text came from; the customer's locale for a text of the agent's own */
  locale: string | null;
  recipient: { customerId: string; phone?: string; email?: string };
}

export interface ComposeInput {
  request: MessageRequest;
  ticket: { id: string; touchpoint: string; customerId: string; customerName: string | null; customerLocale: string | null };
  contact: CustomerContact | null;
  agentName: string;
  templates: Templates;
  /** `PUBLIC_BASE_URL/r/<token>`, for the `recheck` template (ADR 0018); without it that template does not render */
  recheckUrl?: string;
}

/** Exactly one of `template` and `body` (the DTO has checked each on its own). */
export function requestShapeErrors(r: { channel?: string; template?: string; body?: string; subject?: string }): FieldError[] {
  if (r.template !== undefined && r.body !== undefined) return [{ field: 'template', message: 'give either a template or a body, not both' }];
  if (r.template === undefined && r.body === undefined) return [{ field: 'body', message: 'give a template name or a body' }];
  if (r.subject !== undefined && r.channel !== 'email') return [{ field: 'subject', message: 'only an email has a subject' }];
  if (r.subject !== undefined && r.template !== undefined) return [{ field: 'subject', message: 'a template brings its own subject' }];
  if (r.channel === 'sms' && r.body !== undefined && r.body.length > SMS_MAX_CHARS) return [{ field: 'body', message: `must be shorter than or equal to ${SMS_MAX_CHARS} characters for an SMS` }];
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
  return a.channel === b.channel && (a.template ?? null) === (b.template ?? null) && (a.body ?? null) === (b.body ?? null) && (a.subject ?? null) === (b.subject ?? null);
}

/**
 * The text and recipient of a message to the ticket's customer, or why not (SPEC §11): a template that does not
 * render is the request's fault (400, naming `template`); a customer without a number (SMS) or an address (email),
 * or who opted out of that channel, cannot be reached there (409 with that reason).
 */
export function composeMessage(i: ComposeInput): { ok: true; message: Composed } | { ok: false; refusal: MessageRefusal } {
  const channel = i.request.channel;
  const locale = i.contact?.locale ?? i.ticket.customerLocale ?? null;
  let body: string;
  let subject: string | undefined;
  let template: string | undefined;
  let from = locale;
  if (i.request.template !== undefined) {
    const r = renderTemplate(i.templates, i.request.template, channel, locale, {
      'customer.name': i.contact?.name ?? i.ticket.customerName ?? undefined,
      'agent.name': i.agentName,
      touchpoint: i.ticket.touchpoint,
      'ticket.id': i.ticket.id,
      recheckUrl: i.recheckUrl,
    });
    if (!r.ok) return refuse({ status: 400, field: 'template', reason: r.message });
    body = r.message.text;
    if (r.message.channel === 'email') subject = r.message.subject;
    template = r.message.template;
    from = r.message.locale;
  } else {
    body = i.request.body ?? '';
    if (channel === 'email') subject = i.request.subject ?? defaultSubject(i.ticket.id);
  }
  const max = channel === 'sms' ? SMS_MAX_CHARS : EMAIL_MAX_CHARS;
  if (body.length > max) {
    return refuse({ status: 400, field: template ? 'template' : 'body', reason: `the text is ${body.length} characters long; ${channel === 'sms' ? 'an SMS' : 'an email'} may have ${max}` });
  }
  const done = (recipient: Composed['recipient']) =>
    ({ ok: true, message: { body, ...(subject !== undefined ? { subject } : {}), ...(template ? { template } : {}), locale: from, recipient } }) as const;
  if (channel === 'email') {
    const email = i.contact?.email;
    if (!email) return refuse({ status: 409, reason: 'the customer has no email address: none of their feedback gave one' });
    if (i.contact?.emailOptedOutAt) return refuse({ status: 409, reason: 'the customer has opted out of email' });
    return done({ customerId: i.ticket.customerId, email });
  }
  const phone = i.contact?.phone;
  if (!phone) return refuse({ status: 409, reason: 'the customer has no phone number: none of their feedback gave one' });
  if (i.contact?.smsOptedOutAt) return refuse({ status: 409, reason: 'the customer has opted out of SMS' });
  return done({ customerId: i.ticket.customerId, phone });
}

/** A text of the agent's own by email, without a subject of its own. */
export function defaultSubject(ticketId: string): string {
  return `About your feedback (ref ${ticketId.slice(0, 8)})`;
}

function refuse(refusal: MessageRefusal): { ok: false; refusal: MessageRefusal } {
  return { ok: false, refusal };
}
