import { renderRecheckPage, type RecheckPageState } from './page';
import { parseRecheckScore } from './recheck-feedback';

describe('recheck page', () => {
  it.each([
    ['tr-TR', 'tr'],
    ['he', 'he'],
    ['zh-Hans-CN', 'zh'],
    ['id_ID', 'id'],
    ['pt-BR', 'en'],
    [undefined, 'en'],
  ])('locale %s → page in %s', (locale, lang) => {
    expect(renderRecheckPage('question', { locale }).html).toContain(`<html lang="${lang}" dir="${lang === 'he' ? 'rtl' : 'ltr'}">`);
  });

  it.each<[RecheckPageState, number, boolean]>([
    ['question', 200, true],
    ['bad_score', 400, true],
    ['thanks', 200, false],
    ['answered', 409, false],
    ['expired', 410, false],
    ['invalid', 404, false],
  ])('%s → %i, form shown: %s', (state, status, form) => {
    const page = renderRecheckPage(state, { locale: 'en' });
    expect(page.status).toBe(status);
    expect(page.html.includes('<form method="post">')).toBe(form);
    expect(page.html).not.toMatch(/<script/i);
  });

  it.each([
    ['0', 0],
    ['10', 10],
    ['7', 7],
    ['11', undefined],
    ['-1', undefined],
    ['07', undefined],
    [' 7', undefined],
    ['7.0', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('score %j → %j', (raw, score) => {
    expect(parseRecheckScore(raw)).toBe(score);
  });
});
