import { startQualtricsStub, startSurveyMonkeyStub, type SurveyApiStub } from './survey-api-stub';

describe('survey API stubs', () => {
  let qualtrics: SurveyApiStub;
  let surveyMonkey: SurveyApiStub;
  beforeAll(async () => {
    [qualtrics, surveyMonkey] = await Promise.all([startQualtricsStub({ token: 'ql-token' }), startSurveyMonkeyStub({ token: 'sm-token' })]);
  });
  afterAll(() => Promise.all([qualtrics.close(), surveyMonkey.close()]));
  beforeEach(() => {
    qualtrics.reset();
    surveyMonkey.reset();
  });

  const get = async (url: string, headers: Record<string, string>) => {
    const res = await fetch(url, { headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('Qualtrics: X-API-TOKEN checked, the registered response answered, others the vendor 404', async () => {
    qualtrics.respond('SV_1', 'R_1', { result: { values: { QID1: 4 } } });
    const path = `${qualtrics.url}/API/v3/surveys/SV_1/responses/R_1`;
    expect(await get(path, { 'X-API-TOKEN': 'ql-token' })).toEqual({ status: 200, body: { result: { values: { QID1: 4 } } } });
    expect((await get(path, { 'X-API-TOKEN': 'wrong' })).status).toBe(401);
    const missing = await get(`${qualtrics.url}/API/v3/surveys/SV_1/responses/R_2`, { 'X-API-TOKEN': 'ql-token' });
    expect(missing).toMatchObject({ status: 404, body: { meta: { httpStatus: '404 - Not Found' } } });
    expect(qualtrics.requests.map((r) => [r.responseId, r.status])).toEqual([['R_1', 200], ['R_1', 401], ['R_2', 404]]);
  });

  it('SurveyMonkey: Bearer token checked; scripted answers come first, then the registered ones', async () => {
    surveyMonkey.respond('123', '987', { id: '987' });
    surveyMonkey.script({ status: 429, headers: { 'Retry-After': '1' } }, { status: 503 });
    const path = `${surveyMonkey.url}/v3/surveys/123/responses/987/details?simple=true`;
    const auth = { Authorization: 'Bearer sm-token' };
    expect(await get(path, auth)).toMatchObject({ status: 429, body: { error: { http_status_code: 429 } } });
    expect((await get(path, auth)).status).toBe(503);
    expect(await get(path, auth)).toEqual({ status: 200, body: { id: '987' } });
    expect((await get(path, {})).status).toBe(401);
    expect(surveyMonkey.requests[2]).toMatchObject({ surveyId: '123', responseId: '987', query: { simple: 'true' } });
  });
});
