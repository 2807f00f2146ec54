// docs/sources.md's curls send each tool's sample payload: they must stay payloads the connectors take.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceOf } from './fixtures/sign';
import { CONNECTORS } from './index';

const doc = readFileSync(join(__dirname, '../../../../docs/sources.md'), 'utf8');
/** The `body='…'` (or Qualtrics' `msg='…'`) of the curl under the heading `## <title>`. */
function sample(title: string, variable = 'body'): unknown {
  const section = doc.split(/^## /m).find((s) => s.startsWith(title)) ?? '';
  const m = new RegExp(`^${variable}='(.*)'$`, 'm').exec(section);
  if (!m) throw new Error(`no ${variable}='…' under ## ${title}`);
  return JSON.parse(m[1]);
}
const ctx = { receivedAt: new Date('2026-11-23T10:00:05Z'), token: 'token' };

describe('docs/sources.md samples', () => {
  it.each([
    ['Typeform', sourceOf('typeform', { fields: { score: 'nps_q', comment: 'why_q' } }), { score: 3, customer: 'c-42' }],
    ['Delighted', sourceOf('delighted', {}), { score: 7, customer: '5975' }],
    ['Formbricks', sourceOf('formbricks', { fields: { score: 'nps', comment: 'why' } }), { score: 2, customer: 'contact-7' }],
    ['QuestionPro', sourceOf('questionpro', { fields: { score: 'Q2', comment: 'Q3' } }), { score: 3, customer: 'c-42' }],
    ['Anything else', sourceOf('generic', { metric: 'csat', fields: { externalId: 'ticket.id', score: 'ticket.rating', comment: 'ticket.text', customerId: 'ticket.requester', respondedAt: 'ticket.at' } }), { score: 1, customer: 'c-9' }],
  ] as const)('%s: the sample becomes feedback', (title, source, want) => {
    const r = CONNECTORS[source.kind].map(sample(title), source, ctx);
    expect(r.outcome).toBe('feedback');
    if (r.outcome === 'feedback') expect({ score: r.feedback.score, customer: r.feedback.customer.id }).toEqual(want);
  });

  it.each([
    ['Qualtrics', 'msg', sourceOf('qualtrics', { fields: { score: 'QID1' }, api: { url: 'https://fra1.qualtrics.com', tokenEnv: 'T' } })],
    ['SurveyMonkey', 'body', sourceOf('surveymonkey', { fields: { score: '222222' }, api: { url: 'https://api.surveymonkey.com', tokenEnv: 'T' } })],
  ] as const)('%s: the sample notification asks to fetch its answers', (title, variable, source) => {
    const notification = sample(title, variable);
    const payload = title === 'Qualtrics' ? { Topic: 'surveyengine.completedResponse.SV_ebdf20QralHTzQF', MSG: JSON.stringify(notification) } : notification;
    expect(CONNECTORS[source.kind].map(payload, source, ctx).outcome).toBe('fetch');
  });
});
