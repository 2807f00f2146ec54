// Typeform: `form_response` events (typeform.com/developers/webhooks/example-payload/), signed with
// `Typeform-Signature: sha256=<base64 HMAC-SHA256(secret, raw body)>` (typeform.com/developers/webhooks/secure-your-webhooks/).
import type { Source } from '@closeloop/contracts';
import { header, hmac, isRecord, notAnObject, parseJson, safeEqual, toFeedback } from './shared';
import type { Connector, MapResult } from './source';

function answers(response: Record<string, unknown>): Record<string, unknown>[] {
  return Array.isArray(response.answers) ? response.answers.filter(isRecord) : [];
}

/** The answer whose `field.ref` or `field.id` is `question`. */
function answerTo(response: Record<string, unknown>, question: string | undefined): Record<string, unknown> | undefined {
  if (question === undefined) return undefined;
  return answers(response).find((a) => isRecord(a.field) && (a.field.ref === question || a.field.id === question));
}

/** An opinion scale, rating or NPS answer is `number`; a dropdown or choice carries its label. */
function answerValue(answer: Record<string, unknown> | undefined): unknown {
  if (!answer) return undefined;
  if (answer.number !== undefined) return answer.number;
  if (isRecord(answer.choice)) return answer.choice.label;
  return answer.text;
}

function map(payload: unknown, source: Source): MapResult {
  if (!isRecord(payload)) return notAnObject('the Typeform event');
  if (payload.event_type !== 'form_response') return { outcome: 'ignored', reason: `event_type ${JSON.stringify(payload.event_type)} is not form_response` };
  const response = isRecord(payload.form_response) ? payload.form_response : {};
  const { score: scoreQ, comment: commentQ } = source.fields;
  const email = answers(response).find((a) => a.type === 'email')?.email;
  const hidden = isRecord(response.hidden) ? response.hidden : {};
  return toFeedback(payload, source, {
    externalId: response.token,
    score: { value: answerValue(answerTo(response, scoreQ)), where: `question ${JSON.stringify(scoreQ ?? '(fields.score unset)')} in form_response.answers` },
    comment: answerTo(response, commentQ)?.text,
    customerIds: [hidden.customer_id, email, response.token],
    respondedAt: response.submitted_at,
    email,
  });
}

export const typeform: Connector = {
  kind: 'typeform',
  contentType: 'application/json',
  verify: ({ raw, headers, secret }) => safeEqual(`sha256=${hmac('sha256', secret, raw, 'base64')}`, header(headers, 'typeform-signature')),
  parse: parseJson,
  map,
};
