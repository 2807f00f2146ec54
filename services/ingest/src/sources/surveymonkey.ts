// SurveyMonkey: `POST /v3/webhooks` subscriptions post `{event_type, object_id, resources{survey_id, respondent_id, …}}`
// without the answers, with `Sm-Apikey` and `Sm-Signature` = base64 HMAC-SHA1(key "<api key>&<api secret>", raw body)
// (SurveyMonkey API v3 docs, via api-evangelist/surveymonkey's AsyncAPI). The answers are fetched from the response API.
import type { Source } from '@closeloop/contracts';
import { fetchAnswers, header, hmac, isRecord, notAnObject, parseJson, safeEqual, text, toFeedback } from './shared';
import type { Connector, Delivery, MapContext, MapResult } from './source';

/**
 * The key is "<api key>&<api secret>". The secret variable may hold the whole key; else the API key is the one the
 * request names in `Sm-Apikey` (it is no secret: SurveyMonkey sends it in clear), so the HMAC still needs our secret.
 */
function verify({ raw, headers, secret }: Delivery): boolean {
  const key = secret.includes('&') ? secret : `${header(headers, 'sm-apikey') ?? ''}&${secret}`;
  return safeEqual(hmac('sha1', key, raw, 'base64'), header(headers, 'sm-signature'));
}

function map(payload: unknown, source: Source, ctx: MapContext): MapResult {
  if (!isRecord(payload)) return notAnObject('the SurveyMonkey event');
  if (payload.event_type !== 'response_completed') return { outcome: 'ignored', reason: `event_type ${JSON.stringify(payload.event_type)} is not response_completed` };
  const resources = isRecord(payload.resources) ? payload.resources : {};
  const surveyId = text(resources.survey_id);
  const responseId = text(payload.object_id);
  if (source.api?.surveyId !== undefined && surveyId !== source.api.surveyId) {
    return { outcome: 'ignored', reason: `a response to survey ${surveyId ?? '(none)'}, this source is survey ${source.api.surveyId}` };
  }
  return fetchAnswers(
    source, ctx,
    { survey: ['resources.survey_id', surveyId], response: ['object_id', responseId] },
    // `simple=true` adds each answer's text (`simple_text`): without it a scale answer is only a choice id.
    (survey, response) => `/v3/surveys/${survey}/responses/${response}/details?simple=true`,
    (token) => ({ Authorization: `Bearer ${token}` }),
  );
}

/** The first answer to the question with id `question` in `pages[].questions[]`. */
function answerTo(details: Record<string, unknown>, question: string | undefined): Record<string, unknown> | undefined {
  if (question === undefined || !Array.isArray(details.pages)) return undefined;
  for (const page of details.pages) {
    const questions: unknown = isRecord(page) ? page.questions : undefined;
    if (!Array.isArray(questions)) continue;
    const q: unknown = questions.find((x: unknown) => isRecord(x) && x.id === question);
    const first: unknown = isRecord(q) && Array.isArray(q.answers) ? q.answers[0] : undefined;
    if (isRecord(first)) return first;
  }
  return undefined;
}

function mapFetched(payload: unknown, fetched: unknown, source: Source): MapResult {
  if (!isRecord(fetched)) return notAnObject('the response details');
  const notification = isRecord(payload) ? payload : {};
  const resources = isRecord(notification.resources) ? notification.resources : {};
  const { score: scoreQ, comment: commentQ } = source.fields;
  const scoreAnswer = answerTo(fetched, scoreQ);
  const custom = isRecord(fetched.custom_variables) ? fetched.custom_variables : {};
  const name = [fetched.first_name, fetched.last_name].filter((n) => typeof n === 'string' && n !== '').join(' ');
  return toFeedback(fetched, source, {
    externalId: notification.object_id ?? fetched.id,
    score: { value: scoreAnswer?.simple_text ?? scoreAnswer?.text, where: `question ${JSON.stringify(scoreQ ?? '(fields.score unset)')} in pages[].questions[]` },
    comment: answerTo(fetched, commentQ)?.text,
    customerIds: [custom.customer_id, resources.respondent_id, fetched.id],
    respondedAt: fetched.date_modified,
    email: fetched.email_address,
    name,
  });
}

export const surveymonkey: Connector = { kind: 'surveymonkey', contentType: 'application/json', verify, parse: parseJson, map, mapFetched };
