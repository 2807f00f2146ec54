// `npm run demo`'s survey-tool deliveries (SPEC §10): one response per kind, in the shape the vendor documents it
// (the same shapes as services/ingest/src/sources/fixtures and docs/sources.md) and signed the way the vendor signs
// it, for the demo sources of config/demo-sources.yaml. Each is a detractor with a comment, from a customer of its own.
// CommonJS so that demo.mjs and the jest tests (test/scripts/demo.spec.ts: each maps to its feedback) load the same code.
'use strict';
const { createHmac } = require('node:crypto');

const json = (payload, headers) => {
  const body = JSON.stringify(payload);
  return { body, headers: { 'Content-Type': 'application/json', ...headers(body) } };
};
const hmac = (algorithm, key, data, encoding) => createHmac(algorithm, key).update(data).digest(encoding);

/**
 * Per kind: the delivery for `source` (its secrets in `secrets`, by variable name), what the ticket should show, and for
 * the fetching kinds the answers their API stub must give. `run` makes ids unique per demo run.
 */
const DEMO_DELIVERIES = {
  questionpro: (source, secrets, run) => ({
    customer: { id: `c-qp-${run}`, name: 'Elif' }, score: 3, comment: 'Masamız 50 dakika gelmedi, garson ilgilenmedi',
    delivery: json({
      responseID: Number.parseInt(run, 36) % 1_000_000_000, surveyID: 13383722, surveyName: 'Checkout', responseStatus: 'Completed',
      externalReference: `c-qp-${run}`, customVariables: { custom1: `c-qp-${run}`, custom2: null, custom3: null, custom4: null, custom5: null },
      language: 'Turkish', utctimestamp: Math.floor(Date.now() / 1000),
      responseSet: [
        { questionID: 156567752, questionCode: 'Q2', questionText: 'How likely are you to recommend us?', questionType: 'nps',
          answerValues: [{ answerID: 839266203, answerText: '3', value: { ord: 4, scale: '4', text: '' } }] },
        { questionID: 156567753, questionCode: 'Q3', questionText: 'Why?', questionType: 'text_multiple_row',
          answerValues: [{ answerID: 839266211, answerText: '', value: { ord: 1, scale: '', text: 'Masamız 50 dakika gelmedi, garson ilgilenmedi' } }] },
      ],
    }, () => ({ Authorization: `Bearer ${secrets[source.secretEnv]}` })),
  }),
  typeform: (source, secrets, run) => ({
    customer: { id: `c-tf-${run}`, name: 'Olivia' }, score: 4, comment: 'The courier left the bag at the wrong door',
    delivery: json({
      event_id: `01DEMO${run.toUpperCase()}`, event_type: 'form_response',
      form_response: {
        form_id: 'lT4Z3j', token: `tf-${run}`, landed_at: new Date(Date.now() - 90_000).toISOString(), submitted_at: new Date().toISOString(),
        hidden: { customer_id: `c-tf-${run}`, touchpoint: 'delivery' },
        definition: { id: 'lT4Z3j', title: 'Delivery feedback', fields: [
          { id: 'SMEUb7VJz92Q', title: 'How likely are you to recommend us?', type: 'opinion_scale', ref: 'nps_q', properties: {} },
          { id: 'DlXFaesGBpoF', title: 'Why?', type: 'long_text', ref: 'why_q', properties: {} },
        ] },
        answers: [
          { type: 'number', number: 4, field: { id: 'SMEUb7VJz92Q', type: 'opinion_scale', ref: 'nps_q' } },
          { type: 'text', text: 'The courier left the bag at the wrong door', field: { id: 'DlXFaesGBpoF', type: 'long_text', ref: 'why_q' } },
        ],
      },
    }, (body) => ({ 'Typeform-Signature': `sha256=${hmac('sha256', secrets[source.secretEnv], body, 'base64')}` })),
  }),
  delighted: (source, secrets, run) => ({
    customer: { id: `c-dl-${run}`, name: 'Charlie' }, score: 5, comment: 'Second late order this month',
    delivery: json({
      event_type: 'survey_response.created', event_id: `dl-ev-${run}`,
      event_data: {
        id: `dl-${run}`, person: { id: `c-dl-${run}`, email: 'charlie@example.com', name: 'Charlie Gravis' }, survey_type: 'nps', score: 5,
        comment: 'Second late order this month', permalink: 'https://app.delighted.com/r/demo', created_at: Math.floor(Date.now() / 1000),
        updated_at: Math.floor(Date.now() / 1000), person_properties: null, notes: [], tags: [], additional_answers: [],
      },
    }, (body) => ({ 'X-Delighted-Webhook-Signature': `sha256=${hmac('sha256', secrets[source.secretEnv], body, 'hex')}` })),
  }),
  formbricks: (source, secrets, run) => ({
    customer: { id: `c-fb-${run}`, name: 'Ana' }, score: 2, comment: 'Nobody answered the chat for an hour',
    delivery: json({
      event: 'responseFinished', webhookId: 'demo-webhook',
      data: {
        id: `fb-${run}`, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), surveyId: 'demo-survey', finished: true,
        contact: { id: `c-fb-${run}`, userId: `u-${run}` }, contactAttributes: { email: 'ana@example.com' },
        data: { nps: 2, why: 'Nobody answered the chat for an hour' }, language: 'en', meta: {}, tags: [], variables: {},
      },
    }, (body) => {
      // Standard Webhooks: base64 HMAC-SHA256 of "{id}.{timestamp}.{body}", keyed with the secret's bytes after whsec_
      const id = `msg_demo_${run}`;
      const ts = String(Math.floor(Date.now() / 1000));
      const key = Buffer.from(secrets[source.secretEnv].replace(/^whsec_/, ''), 'base64');
      return { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': `v1,${hmac('sha256', key, `${id}.${ts}.${body}`, 'base64')}` };
    }),
  }),
  qualtrics: (source, secrets, run) => {
    const msg = { Status: 'Complete', SurveyID: 'SV_demo', ResponseID: `R_${run}`, CompletedDate: new Date().toISOString().slice(0, 19).replace('T', ' '), BrandID: 'lezzet' };
    const MSG = JSON.stringify(msg);
    return {
      customer: { id: `deniz.${run}@example.com`, name: 'Deniz' }, score: 4, comment: 'Yemek 40 dakika sürdü',
      delivery: {
        body: new URLSearchParams({ Topic: `surveyengine.completedResponse.${msg.SurveyID}`, MSG, HMAC: hmac('sha512', secrets[source.secretEnv], MSG, 'hex') }).toString(),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      },
      answers: [msg.SurveyID, msg.ResponseID, { result: { responseId: msg.ResponseID, values: {
        startDate: new Date(Date.now() - 120_000).toISOString(), endDate: new Date().toISOString(), finished: 1, progress: 100,
        recipientEmail: `deniz.${run}@example.com`, recipientFirstName: 'Deniz', recipientLastName: 'Kaya', QID1: 4, QID2_TEXT: 'Yemek 40 dakika sürdü',
      } }, meta: { httpStatus: '200 - OK' } }],
    };
  },
  surveymonkey: (source, secrets, run) => {
    const apiKey = 'demo-app-api-key';
    const id = String(900_000_000 + (Number.parseInt(run, 36) % 99_999_999));
    return {
      customer: { id: `c-sm-${run}`, name: 'Noa' }, score: 3, comment: 'I waited an hour on the line',
      delivery: json({
        name: 'Support survey', filter_type: 'survey', filter_id: '123456789', event_type: 'response_completed', event_id: `ev-${id}`,
        object_type: 'response', object_id: id, event_datetime: new Date().toISOString(),
        resources: { survey_id: '123456789', collector_id: '111222333', respondent_id: id, recipient_id: '0' },
      }, (body) => ({ 'Sm-Apikey': apiKey, 'Sm-Signature': hmac('sha1', `${apiKey}&${secrets[source.secretEnv]}`, body, 'base64') })),
      answers: ['123456789', id, {
        id, response_status: 'completed', survey_id: '123456789', collector_id: '111222333', first_name: 'Noa', last_name: 'Levi',
        custom_variables: { customer_id: `c-sm-${run}` }, date_created: new Date(Date.now() - 60_000).toISOString(), date_modified: new Date().toISOString(),
        pages: [{ id: '111111', questions: [
          { id: '222222', answers: [{ choice_id: '333333', simple_text: '3' }] },
          { id: '222223', answers: [{ text: 'I waited an hour on the line', simple_text: 'I waited an hour on the line' }] },
        ] }],
      }],
    };
  },
  generic: (source, secrets, run) => ({
    customer: { id: `c-kiosk-${run}`, name: 'Budi' }, score: 1, comment: 'Mejanya kotor dan pelayannya tidak datang',
    delivery: json({ ticket: { id: `kiosk-${run}`, rating: 1, text: 'Mejanya kotor dan pelayannya tidak datang', requester: `c-kiosk-${run}`, at: new Date().toISOString() } },
      () => ({ Authorization: `Bearer ${secrets[source.secretEnv]}` })),
  }),
};

module.exports = { DEMO_DELIVERIES };
