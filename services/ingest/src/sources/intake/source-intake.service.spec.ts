import { CONNECTORS } from '../index';
import { bodyTypeProblem } from './source-intake.service';

describe('bodyTypeProblem: 415 for a body type the kind never sends', () => {
  it.each([
    ['typeform', 'application/json', undefined, null],
    ['typeform', 'application/json; charset=utf-8', undefined, null],
    ['typeform', 'application/x-www-form-urlencoded', undefined, 415],
    ['typeform', undefined, undefined, 415],
    ['typeform', 'application/json', 'gzip', 415],
    ['qualtrics', 'application/x-www-form-urlencoded', undefined, null],
    ['qualtrics', 'application/x-www-form-urlencoded; charset=UTF-8', undefined, null],
    ['qualtrics', 'application/x-www-form-urlencoded; charset=latin1', undefined, 415],
    ['qualtrics', 'application/json', undefined, 415],
    ['qualtrics', undefined, undefined, 415],
    ['qualtrics', 'application/x-www-form-urlencoded', 'gzip', 415],
  ] as const)('%s with %s (%s) → %s', (kind, type, encoding, status) => {
    expect(bodyTypeProblem(CONNECTORS[kind], type, encoding)?.status ?? null).toBe(status);
  });
});
