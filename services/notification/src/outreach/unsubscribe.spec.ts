import { renderUnsubscribePage } from './unsubscribe.controller';
import { withUnsubscribe } from './unsubscribe-links';

describe('unsubscribe (SPEC §11)', () => {
  it.each([
    ['tr', 'Bizden e-posta almak istemiyorsanız: https://cx.example/u/T'],
    ['he-IL', 'להפסקת קבלת הודעות דוא"ל מאיתנו: https://cx.example/u/T'],
    ['pt-BR', 'To stop emails from us: https://cx.example/u/T'],
    [undefined, 'To stop emails from us: https://cx.example/u/T'],
  ])('every customer email ends with the link in the customer’s language (%s), and carries the one-click headers', (locale, line) => {
    const r = withUnsubscribe('Merhaba', 'https://cx.example/u/T', locale);
    expect(r.text).toBe(`Merhaba\n\n-- \n${line}`);
    expect(r.headers).toEqual({ 'List-Unsubscribe': '<https://cx.example/u/T>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });
  });

  it.each([
    ['ask', 'he', 200, 'dir="rtl"', true],
    ['done', 'zh', 200, '已完成', false],
    ['invalid', 'id', 404, 'Tautan ini tidak valid.', false],
  ] as const)('%s page (%s) → %i', (state, locale, status, text, form) => {
    const page = renderUnsubscribePage(state, locale);
    expect(page.status).toBe(status);
    expect(page.html).toContain(text);
    expect(page.html.includes('<form method="post">')).toBe(form);
    expect(page.html).not.toMatch(/<script/i);
  });
});
