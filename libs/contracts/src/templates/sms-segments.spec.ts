// The alphabet is 3GPP TS 23.038 (formerly GSM 03.38) §6.2.1, the GSM 7-bit default alphabet, and §6.2.1.1, its
// extension table; e.g. the table as printed in the Siemens TC35 AT command manual, §7.10 "Alphabet tables"
// (http://38.142.81.21:8001/manual/siemens/tc35-terminal/2-specifications-english/page-144.html), and the summary at
// https://en.wikipedia.org/wiki/GSM_03.38. The basic set has Ç (0x09) but not ç; it has Ä Ö Ñ Ü ä ö ñ ü à, not ş ğ ı.
import { smsEncoding, smsSegments, type SmsEncoding } from './sms-segments';

/** A lone high or low surrogate: a part that split an emoji or another astral character. */
const BROKEN_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('smsEncoding', () => {
  it.each<[string, string, SmsEncoding]>([
    ['Indonesian', 'Halo Budi, pesanan Anda sudah kami terima. Terima kasih!', 'GSM-7'],
    ['English with @ £ $ _ and a line break', 'Ref #42: £5 off @ checkout_\nThanks', 'GSM-7'],
    ['Turkish with Ç, ö and ü only (all in the basic set)', 'Çok güzel, Ömür', 'GSM-7'],
    ['Turkish ç (only Ç is in the basic set)', 'çok güzel', 'UCS-2'],
    ['Turkish ş', 'Teşekkürler', 'UCS-2'],
    ['Turkish ğ', 'Öğle yemeği', 'UCS-2'],
    ['Turkish dotless ı', 'Yılmaz', 'UCS-2'],
    ['Turkish dotted İ', 'İstanbul', 'UCS-2'],
    ['Chinese', '您好', 'UCS-2'],
    ['Hebrew', 'שלום', 'UCS-2'],
    ['an emoji', 'Thanks 👍', 'UCS-2'],
    ['a curly apostrophe (not the ASCII one)', 'We’re sorry', 'UCS-2'],
    ['the extension table', '{[~]}|^\\€', 'GSM-7'],
  ])('%s → %s', (_case, text, encoding) => {
    expect(smsEncoding(text)).toBe(encoding);
  });
});

describe('smsSegments', () => {
  const a = (n: number) => 'a'.repeat(n);
  const hao = (n: number) => '好'.repeat(n);

  it.each<[string, string, SmsEncoding, number, number]>([
    ['empty', '', 'GSM-7', 0, 0],
    ['GSM-7, one full SMS', a(160), 'GSM-7', 160, 1],
    ['GSM-7, one septet over: two parts of up to 153', a(161), 'GSM-7', 161, 2],
    ['GSM-7, three parts', a(153 * 2 + 1), 'GSM-7', 307, 3],
    ['extension characters count two septets: 158 + € = 160', `${a(158)}€`, 'GSM-7', 160, 1],
    ['extension characters count two septets: 159 + € = 161', `${a(159)}€`, 'GSM-7', 161, 2],
    ['UCS-2, one full SMS of Chinese', hao(70), 'UCS-2', 70, 1],
    ['UCS-2, one unit over: parts of up to 67', hao(71), 'UCS-2', 71, 2],
    ['one ş turns 100 Latin letters into UCS-2: two parts', `${a(99)}ş`, 'UCS-2', 100, 2],
    ['an emoji is two UTF-16 units', `${hao(68)}👍`, 'UCS-2', 70, 1],
    ['Hebrew with right-to-left marks (U+200F count as a unit each)', '\u200Fשלום\u200F', 'UCS-2', 6, 1],
  ])('%s', (_case, text, encoding, units, segments) => {
    const r = smsSegments(text);
    expect([r.encoding, r.units, r.segments]).toEqual([encoding, units, segments]);
    expect(r.parts.join('')).toBe(text);
  });

  it('fills GSM-7 parts to 153 septets', () => {
    expect(smsSegments(a(161)).parts.map((p) => p.length)).toEqual([153, 8]);
  });

  it('never splits an escape pair: a € that would straddle two parts starts the next one', () => {
    const r = smsSegments(`${a(152)}€${'b'.repeat(10)}`);
    expect(r.parts).toEqual([a(152), `€${'b'.repeat(10)}`]);
  });

  it('never splits a surrogate pair: an emoji that would straddle two parts starts the next one', () => {
    const r = smsSegments(`${hao(66)}👍${hao(3)}`);
    expect(r.parts).toEqual([hao(66), `👍${hao(3)}`]);
    expect(r.parts.some((p) => BROKEN_SURROGATE.test(p))).toBe(false);
  });

  it('splits long emoji, CJK and Hebrew text into parts of at most 67 units, each well formed', () => {
    const text = `${'שלום עולם 👋🏽 '.repeat(8)}${'您好，谢谢！😊'.repeat(10)}`;
    const r = smsSegments(text);
    expect(r.encoding).toBe('UCS-2');
    expect(r.parts.join('')).toBe(text);
    expect(r.parts.every((p) => p.length <= 67 && !BROKEN_SURROGATE.test(p))).toBe(true);
    expect(r.units).toBe(text.length);
    expect(r.segments).toBe(r.parts.length);
    expect(r.segments).toBeGreaterThanOrEqual(Math.ceil(text.length / 67));
  });
});
