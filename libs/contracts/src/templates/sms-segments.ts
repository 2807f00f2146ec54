// How many SMS a text costs and in which encoding (3GPP TS 23.038, formerly GSM 03.38). A text entirely in the
// GSM 7-bit default alphabet goes as GSM-7: 160 septets in one SMS, 153 per part when concatenated (the user
// data header takes the rest); characters of the extension table are an escape plus a septet, two septets,
// and an escape pair is never split across parts. Anything else goes as UCS-2 (in practice UTF-16): 70 code
// units, 67 per part; an emoji or another character outside the BMP is a surrogate pair, two code units, never
// split. Turkish needs UCS-2 as soon as it uses ç, ş, ğ or ı (the default alphabet has Ç, ö and ü, not those);
// Chinese and Hebrew always do; plain Indonesian fits GSM-7. National language shift tables are not used.

/** The default alphabet, one septet each (LF and CR included). */
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
/** The extension table: escape + septet, two septets each (form feed, ^ { } \ [ ~ ] | €). */
const GSM7_EXTENSION = new Set('\f^{}\\[~]|€');

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSegments {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the whole text takes. */
  units: number;
  /** How many SMS the text is sent as (0 for an empty text). */
  segments: number;
  /** The text of each SMS, in order; joined they are the text. */
  parts: string[];
}

const LIMITS: Record<SmsEncoding, { single: number; part: number }> = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
};

export function smsEncoding(text: string): SmsEncoding {
  for (const ch of text) if (!GSM7_BASIC.has(ch) && !GSM7_EXTENSION.has(ch)) return 'UCS-2';
  return 'GSM-7';
}

/** The encoding, size and split of `text` as an SMS. */
export function smsSegments(text: string): SmsSegments {
  const encoding = smsEncoding(text);
  // Iterating a string yields code points: a surrogate pair is one item, so it stays in one part.
  const chars = [...text].map((ch) => ({ ch, units: encoding === 'GSM-7' ? (GSM7_EXTENSION.has(ch) ? 2 : 1) : ch.length }));
  const units = chars.reduce((n, c) => n + c.units, 0);
  const { single, part } = LIMITS[encoding];
  if (units === 0) return { encoding, units, segments: 0, parts: [] };
  if (units <= single) return { encoding, units, segments: 1, parts: [text] };
  const parts: string[] = [];
  let current = '';
  let used = 0;
  for (const c of chars) {
    if (used + c.units > part) {
      parts.push(current);
      current = '';
      used = 0;
    }
    current += c.ch;
    used += c.units;
  }
  parts.push(current);
  return { encoding, units, segments: parts.length, parts };
}
