import { mediaTypeProblem, parseJsonBody } from './json-body';
import { ProblemError } from './problem';

describe('mediaTypeProblem', () => {
  it.each([
    ['application/json', undefined],
    ['application/json; charset=utf-8', undefined],
    ['Application/JSON;charset="UTF-8"', undefined],
    ['application/json; charset=utf8', undefined],
    ['application/vnd.closeloop+json', undefined],
    ['application/json', 'identity'],
  ])('accepts %s (encoding %s)', (ct, enc) => {
    expect(mediaTypeProblem(ct, enc)).toBeNull();
  });

  it.each([
    [undefined, undefined, /no Content-Type/],
    ['', undefined, /no Content-Type/],
    ['text/plain', undefined, /text\/plain is not supported/],
    ['application/x-www-form-urlencoded', undefined, /not supported/],
    ['multipart/form-data; boundary=x', undefined, /not supported/],
    ['application/jsonp', undefined, /not supported/],
    ['application/json; charset=latin1', undefined, /charset latin1 is not supported/],
    ['application/json; charset=utf-16', undefined, /charset utf-16/],
    ['application/json', 'gzip', /Content-Encoding gzip is not supported/],
  ])('refuses %s (encoding %s) with 415', (ct, enc, detail) => {
    const p = mediaTypeProblem(ct, enc);
    expect(p).toMatchObject({ status: 415, title: 'Unsupported media type' });
    expect(p?.detail).toMatch(detail);
  });
});

describe('parseJsonBody', () => {
  const problemOf = (raw: string) => {
    try {
      parseJsonBody(Buffer.from(raw, 'utf8'));
    } catch (err) {
      return (err as ProblemError).problem;
    }
    throw new Error('expected a problem');
  };

  it('parses JSON, ignoring a UTF-8 byte order mark', () => {
    expect(parseJsonBody(Buffer.from('\ufeff{"a":"ş"}', 'utf8'))).toEqual({ a: 'ş' });
    expect(parseJsonBody(Buffer.from('[1]'))).toEqual([1]);
  });

  it.each([
    ['', /body is empty/],
    ['  \n', /body is empty/],
    ['{"source": "x",}', /not valid JSON: .+/],
    ["{'a': 1}", /not valid JSON/],
    ['{"a": 1', /not valid JSON/],
  ])('%j is a 400 saying why', (raw, detail) => {
    const p = problemOf(raw);
    expect(p).toMatchObject({ status: 400, title: 'Malformed JSON', type: 'urn:closeloop:problem:malformed-json' });
    expect(p.detail).toMatch(detail);
    expect(p.errors).toEqual([{ field: '(root)', message: expect.stringMatching(/^not valid JSON: /) }]);
  });
});

describe('deeply nested bodies', () => {
  const feedback = (attributes: string) =>
    `{"source":"web","externalId":"x","touchpoint":"checkout","metric":"nps","score":2,"customer":{"id":"c"},"respondedAt":"2026-11-23T10:00:00Z","attributes":${attributes}}`;

  it.each([
    ['100 000 nested arrays', `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, 'attributes.a[0][0]'],
    ['100 000 nested objects', `{"a":${'{"b":'.repeat(100_000)}1${'}'.repeat(100_000)}}`, 'attributes.a.b.b'],
    // a reserved key made validation copy the whole body recursively, outside its try: a stack overflow and a 500
    ['nesting next to a reserved key', `{"constructor":1,"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, 'attributes.a[0][0]'],
  ])('%s are a 400 naming the field', (_name, attributes, prefix) => {
    let problem: ProblemError['problem'] | undefined;
    try {
      parseJsonBody(Buffer.from(feedback(attributes)));
    } catch (err) {
      problem = (err as ProblemError).problem;
    }
    expect(problem).toMatchObject({ status: 400, detail: expect.stringContaining('rejected'), errors: [{ field: expect.stringMatching(new RegExp(`^${prefix.replace(/[[\].]/g, '\\$&')}`)), message: 'is nested deeper than 32 levels' }] });
    expect(problem?.errors?.[0].field.length).toBeLessThan(200);
  });

  it('takes 32 levels', () => {
    expect(parseJsonBody(Buffer.from(feedback(`{"a":${'['.repeat(30)}${']'.repeat(30)}}`)))).toMatchObject({ source: 'web' });
  });
});
