// Formbricks: `responseCreated` / `responseUpdated` / `responseFinished` with the answers in `data.data[questionId]`,
// signed per Standard Webhooks (formbricks/formbricks docs/xm-and-surveys/core-features/integrations/webhooks.mdx).
import type { Source } from '@closeloop/contracts';
import { header, hmac, isRecord, notAnObject, parseJson, safeEqual, toFeedback } from './shared';
import type { Connector, Delivery, MapResult } from './source';

/** Standard Webhooks' replay window, both ways: an old timestamp is a replay, a future one a forgery or a bad clock. */
export const FORMBRICKS_TOLERANCE_SECONDS = 5 * 60;
const EVENTS = ['responseCreated', 'responseUpdated', 'responseFinished'];

/** `webhook-signature: v1,<base64 HMAC-SHA256(base64-decoded whsec_ secret, "{id}.{timestamp}.{body}")>` (space-separated list). */
function verify({ raw, headers, secret, now }: Delivery): boolean {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > FORMBRICKS_TOLERANCE_SECONDS) return false;
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  const expected = hmac('sha256', key, Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), raw]), 'base64');
  // Every listed signature is compared (no early exit), so the time does not say which one matched.
  let matched = false;
  for (const entry of signatures.split(' ')) {
    const comma = entry.indexOf(',');
    const version = comma < 0 ? entry : entry.slice(0, comma);
    const equal = safeEqual(expected, comma < 0 ? undefined : entry.slice(comma + 1));
    matched = (version === 'v1' && equal) || matched;
  }
  return matched;
}

function map(body: unknown, source: Source): MapResult {
  // The documented examples wrap the event in a one-element list; the sender posts the object. Both are taken.
  const payload = Array.isArray(body) && body.length === 1 ? body[0] : body;
  if (!isRecord(payload)) return notAnObject('the Formbricks event');
  if (!EVENTS.includes(payload.event as string)) return { outcome: 'ignored', reason: `event ${JSON.stringify(payload.event)} carries no response` };
  const response = isRecord(payload.data) ? payload.data : {};
  const answers = isRecord(response.data) ? response.data : {};
  const { score: scoreQ, comment: commentQ } = source.fields;
  const score = scoreQ !== undefined && Object.prototype.hasOwnProperty.call(answers, scoreQ) ? answers[scoreQ] : undefined;
  // Created and updated fire while the respondent is still answering: without the score there is nothing to act on yet.
  if ((score === undefined || score === '') && payload.event !== 'responseFinished') {
    return { outcome: 'ignored', reason: `${String(payload.event)} without the score answer (${scoreQ ?? 'fields.score unset'}) yet` };
  }
  const contact = isRecord(response.contact) ? response.contact : {};
  const attributes = isRecord(response.contactAttributes) ? response.contactAttributes : {};
  return toFeedback(payload, source, {
    externalId: response.id,
    score: { value: score, where: `question ${JSON.stringify(scoreQ ?? '(fields.score unset)')} in data.data` },
    comment: commentQ !== undefined && Object.prototype.hasOwnProperty.call(answers, commentQ) ? answers[commentQ] : undefined,
    customerIds: [contact.id, attributes.email, response.id],
    respondedAt: response.createdAt,
    email: attributes.email,
    locale: response.language === 'default' ? undefined : response.language,
  });
}

export const formbricks: Connector = { kind: 'formbricks', contentType: 'application/json', verify, parse: parseJson, map };
