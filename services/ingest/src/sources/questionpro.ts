// QuestionPro posts the `{complete_response}` JSON of a survey webhook (questionpro.com/api/create-webhook.html).
// It signs nothing: the webhook's own request header carries our shared secret as a bearer token.
import type { Source } from '@closeloop/contracts';
import { bearerMatches, isRecord, notAnObject, parseJson, toFeedback, valueAt } from './shared';
import type { Connector, MapResult } from './source';

/** The `responseSet[]` entry whose `questionCode` or `questionID` is `question`. */
function answerTo(payload: Record<string, unknown>, question: string | undefined): Record<string, unknown> | undefined {
  if (question === undefined || !Array.isArray(payload.responseSet)) return undefined;
  const entry: unknown = payload.responseSet.find(
    (q: unknown) => isRecord(q) && (q.questionCode === question || (q.questionID !== undefined && String(q.questionID) === question)),
  );
  const first: unknown = isRecord(entry) && Array.isArray(entry.answerValues) ? entry.answerValues[0] : undefined;
  return isRecord(first) ? first : undefined;
}

function map(payload: unknown, source: Source): MapResult {
  if (!isRecord(payload)) return notAnObject('the QuestionPro response');
  // The webhook fires on completion; a partial or terminated response is not feedback yet.
  if (typeof payload.responseStatus === 'string' && payload.responseStatus !== 'Completed') {
    return { outcome: 'ignored', reason: `response status ${JSON.stringify(payload.responseStatus)}, not Completed` };
  }
  const { score: scoreQ, comment: commentQ } = source.fields;
  const comment = answerTo(payload, commentQ);
  const commentText = valueAt(comment, 'value.text');
  return toFeedback(payload, source, {
    externalId: payload.responseID,
    // For an NPS question `answerText` is the label ("3"); `value.scale` is its 1-based position, not the score.
    score: { value: answerTo(payload, scoreQ)?.answerText, where: `question ${JSON.stringify(scoreQ ?? '(fields.score unset)')} in responseSet` },
    comment: typeof commentText === 'string' && commentText.trim() !== '' ? commentText : comment?.answerText,
    customerIds: [payload.externalReference, payload.responseID],
    respondedAt: payload.utctimestamp,
  });
}

export const questionpro: Connector = {
  kind: 'questionpro',
  contentType: 'application/json',
  verify: ({ headers, secret }) => bearerMatches(headers, secret),
  parse: parseJson,
  map,
};
