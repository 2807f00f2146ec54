// Qualtrics: an event subscription `surveyengine.completedResponse.{SurveyID}` posts a form with `Topic`, `MSG` (JSON with
// `SurveyID`, `ResponseID`, …) and `HMAC` = hex HMAC-SHA512(sharedKey, MSG) (kyma-incubator/connector-tools
// qualtrics-event-gw/pkg/hmac/hmac.go). The answers are then fetched from the response API with `X-API-TOKEN`.
import type { Source } from '@closeloop/contracts';
import { fetchAnswers, hmac, isRecord, notAnObject, safeEqual, text, toFeedback } from './shared';
import type { Connector, MapContext, MapResult } from './source';

const TOPIC = 'surveyengine.completedResponse.';

/** The form fields; undefined when the body is not a form. */
function parse(raw: Buffer): Record<string, string> | undefined {
  const body = raw.toString('utf8');
  if (body.trim().startsWith('{') || body.trim().startsWith('[')) return undefined;
  return Object.fromEntries(new URLSearchParams(body));
}

/** The notification's `MSG`, parsed; undefined when it is not a JSON object. */
function message(payload: unknown): Record<string, unknown> | undefined {
  if (!isRecord(payload) || typeof payload.MSG !== 'string') return undefined;
  try {
    const msg: unknown = JSON.parse(payload.MSG);
    return isRecord(msg) ? msg : undefined;
  } catch {
    return undefined;
  }
}

function map(payload: unknown, source: Source, ctx: MapContext): MapResult {
  if (!isRecord(payload)) return notAnObject('the Qualtrics notification');
  const topic = typeof payload.Topic === 'string' ? payload.Topic : '';
  if (!topic.startsWith(TOPIC)) return { outcome: 'ignored', reason: `topic ${JSON.stringify(topic)} is not a completed response` };
  const msg = message(payload);
  if (!msg) return { outcome: 'unmappable', errors: [{ field: 'MSG', message: 'is not a JSON object' }] };
  const surveyId = text(msg.SurveyID);
  const responseId = text(msg.ResponseID);
  const topicSurvey = topic.slice(TOPIC.length);
  if (surveyId !== undefined && topicSurvey !== surveyId) return { outcome: 'ignored', reason: `topic ${topic} is about another survey than ${surveyId}` };
  if (source.api?.surveyId !== undefined && topicSurvey !== source.api.surveyId) {
    return { outcome: 'ignored', reason: `topic of survey ${topicSurvey}, this source is survey ${source.api.surveyId}` };
  }
  return fetchAnswers(
    source, ctx,
    { survey: ['MSG.SurveyID', surveyId], response: ['MSG.ResponseID', responseId] },
    (survey, response) => `/API/v3/surveys/${survey}/responses/${response}`,
    (token) => ({ 'X-API-TOKEN': token }),
  );
}

/** `GET /API/v3/surveys/{SurveyID}/responses/{ResponseID}` → `result.values`: `QID1`, `QID2_TEXT`, `recipientEmail`, `endDate`. */
function mapFetched(payload: unknown, fetched: unknown, source: Source): MapResult {
  const values = isRecord(fetched) && isRecord(fetched.result) && isRecord(fetched.result.values) ? fetched.result.values : undefined;
  if (!values) return { outcome: 'unmappable', errors: [{ field: 'result.values', message: 'the response API answered without result.values' }] };
  const own = (key: string | undefined) => (key !== undefined && Object.prototype.hasOwnProperty.call(values, key) ? values[key] : undefined);
  const { score: scoreQ, comment: commentQ } = source.fields;
  const responseId = message(payload)?.ResponseID;
  const name = [values.recipientFirstName, values.recipientLastName].filter((n) => typeof n === 'string' && n !== '').join(' ');
  return toFeedback(fetched, source, {
    externalId: responseId,
    score: { value: own(scoreQ), where: `question ${JSON.stringify(scoreQ ?? '(fields.score unset)')} in result.values` },
    // A text entry answer is `<QID>_TEXT`; a question that is itself a text entry is `<QID>`.
    comment: own(commentQ === undefined ? undefined : `${commentQ}_TEXT`) ?? own(commentQ),
    customerIds: [values.recipientEmail, responseId],
    respondedAt: values.endDate,
    email: values.recipientEmail,
    name,
  });
}

export const qualtrics: Connector = {
  kind: 'qualtrics',
  contentType: 'application/x-www-form-urlencoded',
  verify: ({ raw, secret }) => {
    const form = parse(raw);
    return safeEqual(hmac('sha512', secret, form?.MSG ?? '', 'hex'), form?.HMAC?.toLowerCase());
  },
  parse,
  map,
  mapFetched,
};
