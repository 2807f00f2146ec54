// Anything that can post JSON (Medallia's webhook templates, helpdesk CSAT, kiosks, home-grown forms): every `fields`
// entry is a dotted path into the body, and `Authorization: Bearer <secret>` is the authenticity check.
import type { Source } from '@closeloop/contracts';
import { bearerMatches, isRecord, notAnObject, parseJson, toFeedback, valueAt } from './shared';
import type { Connector, MapContext, MapResult } from './source';

function map(payload: unknown, source: Source, ctx: MapContext): MapResult {
  if (!isRecord(payload)) return notAnObject('the body');
  const { score, comment, externalId, respondedAt } = source.fields;
  const at = (path: string | undefined) => (path === undefined ? undefined : valueAt(payload, path));
  const id = at(externalId);
  return toFeedback(payload, source, {
    externalId: id,
    score: { value: at(score), where: `fields.score (${score ?? 'unset'})` },
    comment: at(comment),
    // Without a customer path the response is its own customer, as with the vendor kinds' last default.
    customerIds: [id],
    respondedAt: at(respondedAt),
    respondedAtFallback: ctx.receivedAt,
  });
}

export const generic: Connector = {
  kind: 'generic',
  contentType: 'application/json',
  verify: ({ headers, secret }) => bearerMatches(headers, secret),
  parse: parseJson,
  map,
};
