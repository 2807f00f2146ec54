import { keptIdError, readIntQuery } from './ops-query';

describe('readIntQuery: integer query parameters, every bad one named', () => {
  const params = { hours: { min: 1, max: 720, default: 24 } };
  it.each([
    [{}, { ok: true, value: { hours: 24 } }],
    [{ hours: '1' }, { ok: true, value: { hours: 1 } }],
    [{ hours: '720' }, { ok: true, value: { hours: 720 } }],
    [{ hours: '0' }, { ok: false, errors: [{ field: 'hours', message: 'must be an integer from 1 to 720' }] }],
    [{ hours: '721' }, { ok: false, errors: [{ field: 'hours', message: 'must be an integer from 1 to 720' }] }],
    [{ hours: '2.5' }, { ok: false, errors: [{ field: 'hours', message: 'must be an integer from 1 to 720' }] }],
    [{ hours: '-1' }, { ok: false, errors: [{ field: 'hours', message: 'must be an integer from 1 to 720' }] }],
    [{ hours: '' }, { ok: false, errors: [{ field: 'hours', message: 'must be an integer from 1 to 720' }] }],
    [{ hours: ['1', '2'] }, { ok: false, errors: [{ field: 'hours', message: 'must be an integer from 1 to 720' }] }],
    [{ hours: '99999999999999' }, { ok: false, errors: [{ field: 'hours', message: 'must be an integer from 1 to 720' }] }],
    [{ hour: '48' }, { ok: false, errors: [{ field: 'hour', message: 'is not a known field' }] }],
    // a name Object.prototype carries is no parameter either (`in` would find it there and let it through)
    [{ toString: '1' }, { ok: false, errors: [{ field: 'toString', message: 'is not a known field' }] }],
    [{ constructor: 'x', hours: '2' }, { ok: false, errors: [{ field: 'constructor', message: 'is not a known field' }] }],
    [{ hour: '48', hours: 'x' }, { ok: false, errors: [{ field: 'hour', message: 'is not a known field' }, { field: 'hours', message: 'must be an integer from 1 to 720' }] }],
  ])('%j → %j', (query, expected) => {
    expect(readIntQuery(query, params)).toEqual(expected);
  });
});

describe('keptIdError', () => {
  it.each([
    ['0b6c3a52-7d5e-4c1f-9a43-2f6f1e8d9b10', null],
    ['0B6C3A52-7D5E-4C1F-9A43-2F6F1E8D9B10', null],
    ['42', 'keptId'],
    ["0b6c3a52-7d5e-4c1f-9a43-2f6f1e8d9b10' OR 1=1", 'keptId'],
  ])('%s → %s', (id, field) => {
    expect(keptIdError(id)?.field ?? null).toBe(field);
  });
});
