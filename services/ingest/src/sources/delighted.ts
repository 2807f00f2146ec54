// Delighted: `survey_response.created` (the score), `survey_response.updated` (usually the comment) and
// `unsubscribe.created` (delighted.com/docs/api/webhooks), signed `X-Delighted-Webhook-Signature: sha256=<hex HMAC-SHA256>`.
import { METRICS, type Source } from '@closeloop/contracts';
import { header, hmac, isRecord, notAnObject, parseJson, safeEqual, toFeedback } from './shared';
import type { Connector, MapResult } from './source';

const RESPONSE_EVENTS = ['survey_response.created', 'survey_response.updated'];

function map(payload: unknown, source: Source): MapResult {
  if (!isRecord(payload)) return notAnObject('the Delighted event');
  if (!RESPONSE_EVENTS.includes(payload.event_type as string)) {
    return { outcome: 'ignored', reason: `event_type ${JSON.stringify(payload.event_type)} carries no survey response` };
  }
  const data = isRecord(payload.event_data) ? payload.event_data : {};
  // A CSAT survey's 2 is not an NPS 2: a survey of another metric than the source's is refused, not rescaled.
  if ((METRICS as readonly unknown[]).includes(data.survey_type) && data.survey_type !== source.metric) {
    return { outcome: 'unmappable', errors: [{ field: 'metric', message: `the survey is ${String(data.survey_type)}, the source is ${source.metric}` }] };
  }
  const person = isRecord(data.person) ? data.person : {};
  return toFeedback(payload, source, {
    externalId: data.id,
    score: { value: data.score, where: 'event_data.score' },
    comment: data.comment,
    customerIds: [person.id],
    respondedAt: data.created_at,
    email: person.email,
    name: person.name,
  });
}

export const delighted: Connector = {
  kind: 'delighted',
  contentType: 'application/json',
  verify: ({ raw, headers, secret }) => safeEqual(`sha256=${hmac('sha256', secret, raw, 'hex')}`, header(headers, 'x-delighted-webhook-signature')?.toLowerCase()),
  parse: parseJson,
  map,
};
