import { foldKeywordCase } from '@closeloop/contracts';

/*
 * Keyword matching on feedback comments, for every language the routing file may hold (SPEC §3: "case-insensitive,
 * any language, matched on the comment"). The policy, and why:
 *
 * 1. Fold both sides the same way: contracts' foldKeywordCase (NFKC, lower case, Turkish "İ" → "i"), then
 *    dotted and dotless i are one letter (Turkish "ISLAK"/"ıslak", and Turkish typed on an ASCII keyboard),
 *    "ß" → "ss", Greek final "ς" → "σ", Hebrew final letters → their regular forms, and the optional vowel points of
 *    Hebrew (niqqud) and Arabic (harakat, tatweel) are dropped.
 * 2. Latin/Greek/Cyrillic accents written in a keyword are optional in the comment ("soğuk" matches "soguktu",
 *    typed without Turkish letters), but an accent the keyword does not have prevents the match (Vietnamese
 *    "bàn" (table) is not "bẩn" (dirty)). Marks of other scripts (Devanagari vowel signs, …) must match exactly.
 * 3. Scripts written without spaces between words (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar, Tibetan):
 *    a keyword matches anywhere ("我要退款" contains "退款").
 * 4. Scripts with spaces: a keyword must START a word (the character before it is not a letter, mark or digit of a
 *    spaced script) and may end anywhere. Word starts keep "sue you" out of "issue you" and "rude" out of "crude";
 *    open endings keep suffixing languages working: Turkish "avukat" in "AVUKATIMLA", Indonesian "kasar" in
 *    "kasarnya", English "lawyer" in "lawyers". Hebrew and Arabic attach one-letter words in front (Hebrew ו ה ב כ ל מ ש,
 *    Arabic و ف ب ك ل س and the article ال), so up to three of those may precede the keyword ("לעורך דין" matches
 *    "עורך דין"). Other prefixes are not guessed: Indonesian "menggugat" does not match "gugat" — list such forms.
 * 5. Whitespace inside a keyword matches any run of whitespace in the comment (line breaks, double spaces).
 */

const UNSPACED_SCRIPTS = [
  'Han', 'Hiragana', 'Katakana', 'Thai', 'Lao', 'Khmer', 'Myanmar', 'Tibetan',
].map((s) => `\\p{Script=${s}}`).join('');
const UNSPACED = new RegExp(`[${UNSPACED_SCRIPTS}]`, 'u');
/** A letter, mark or digit that belongs to a word of a spaced script (so it cannot precede a word start). */
const SPACED_WORD_CHAR = `[[\\p{L}\\p{M}\\p{N}]--[${UNSPACED_SCRIPTS}]]`;
const WORD_START = `(?<!${SPACED_WORD_CHAR})`;
const WORD_CHAR = /[\p{L}\p{M}\p{N}]/u;
const HEBREW = /\p{Script=Hebrew}/u;
const ARABIC = /\p{Script=Arabic}/u;
const HEBREW_PROCLITICS = '[והבכלמש]{0,3}';
const ARABIC_PROCLITICS = '[وفبكلس]{0,3}(?:ال)?';

/** Combining diacritics of Latin, Greek and Cyrillic: optional in the comment when the keyword has them. */
const LATIN_MARKS = '[\\u0300-\\u036f]';
const LATIN_MARK = new RegExp(LATIN_MARKS, 'u');
/** Vowel points and cantillation of Hebrew, harakat and tatweel of Arabic: optional in writing, dropped. */
const OPTIONAL_POINTS = /[\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]/gu;
const HEBREW_FINALS: Record<string, string> = { 'ך': 'כ', 'ם': 'מ', 'ן': 'נ', 'ף': 'פ', 'ץ': 'צ' };

/** The form both keywords and comments are compared in (decomposed: base letters followed by their marks). */
export function foldForMatching(text: string): string {
  return foldKeywordCase(text)
    .replace(/ı/g, 'i')
    .replace(/ß/g, 'ss')
    .replace(/ς/g, 'σ')
    .replace(/[ךםןףץ]/g, (c) => HEBREW_FINALS[c])
    .normalize('NFD')
    .replace(OPTIONAL_POINTS, '');
}

const escapeRegExp = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

/** One keyword as a regular expression over folded text; null for a keyword that folds to nothing. */
export function compileKeyword(keyword: string): RegExp | null {
  const chars = [...foldForMatching(keyword).trim()];
  if (!chars.length) return null;
  let body = '';
  for (let i = 0; i < chars.length; i++) {
    if (/\s/u.test(chars[i])) {
      while (i + 1 < chars.length && /\s/u.test(chars[i + 1])) i++;
      body += '\\s+';
      continue;
    }
    const base = chars[i];
    let marks = '';
    while (i + 1 < chars.length && LATIN_MARK.test(chars[i + 1])) marks += chars[++i];
    body += escapeRegExp(base) + (marks ? `(?:${marks})?` : '') + `(?!${LATIN_MARKS})`;
  }
  const first = chars[0];
  let prefix = '';
  if (WORD_CHAR.test(first) && !UNSPACED.test(first)) {
    prefix = WORD_START + (HEBREW.test(first) ? HEBREW_PROCLITICS : ARABIC.test(first) ? ARABIC_PROCLITICS : '');
  }
  return new RegExp(prefix + body, 'v');
}

// Routing configs are immutable once loaded: compile each keyword list once.
const compiled = new WeakMap<readonly string[], { keyword: string; re: RegExp }[]>();
function matchersFor(keywords: readonly string[]) {
  let m = compiled.get(keywords);
  if (!m) {
    m = keywords.flatMap((keyword) => {
      const re = compileKeyword(keyword);
      return re ? [{ keyword, re }] : [];
    });
    compiled.set(keywords, m);
  }
  return m;
}

/** The keywords (as written in the routing file, in its order) that the comment mentions. */
export function matchKeywords(comment: string | null | undefined, keywords: readonly string[]): string[] {
  if (!comment || !keywords.length) return [];
  const text = foldForMatching(comment);
  return matchersFor(keywords).filter((m) => m.re.test(text)).map((m) => m.keyword);
}
