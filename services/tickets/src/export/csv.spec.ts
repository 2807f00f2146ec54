import { CRLF, CSV_BOM, csvField, csvHeader, csvRecord } from './csv';

describe('csvField (RFC 4180, OWASP CSV injection)', () => {
  it.each<[string, string | number | null | undefined, string]>([
    ['plain text as is', 'checkout', 'checkout'],
    ['a number as is', 3, '3'],
    ['null is empty', null, ''],
    ['undefined is empty', undefined, ''],
    ['a comma → quoted', 'slow, rude', '"slow, rude"'],
    ['a quote → quoted and doubled', 'he said "no"', '"he said ""no"""'],
    ['LF → quoted', 'line 1\nline 2', '"line 1\nline 2"'],
    ['CRLF → quoted', 'line 1\r\nline 2', '"line 1\r\nline 2"'],
    ['Hebrew untouched', 'השירות היה איטי', 'השירות היה איטי'],
    ['Chinese untouched', '服务太慢', '服务太慢'],
    ['= gets a leading quote', '=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+ gets a leading quote', '+90 555', "'+90 555"],
    ['- gets a leading quote', '-1 star', "'-1 star"],
    ['@ gets a leading quote', '@SUM(A1)', "'@SUM(A1)"],
    ['a tab first gets a leading quote', '\tx', "'\tx"],
    ['a formula sign later is fine', 'a=b', 'a=b'],
  ])('%s', (_name, value, expected) => {
    expect(csvField(value)).toBe(expected);
  });
});

describe('records', () => {
  it('fields joined by commas, CRLF at the end; the header starts with the UTF-8 BOM', () => {
    expect(csvRecord(['a', 'b,c', null])).toBe(`a,"b,c",${CRLF}`);
    expect(csvHeader().startsWith(CSV_BOM)).toBe(true);
    expect(csvHeader()).toBe(`${CSV_BOM}id,status,severity,team,touchpoint,customer id,metric,score,comment,assignee,openedAt,claimedAt,resolvedAt,rootCause${CRLF}`);
  });
});
