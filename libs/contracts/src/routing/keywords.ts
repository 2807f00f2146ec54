/**
 * The case-insensitive form of a keyword or comment, locale-free so one rule serves every language: NFKC (so
 * full-width and composed forms compare equal), lower case, then the combining dot that lower-casing Turkish "İ"
 * leaves behind is dropped, so "İADE" folds to "iade". Dotless "ı" stays itself ("ISLAK" still folds to "islak").
 * The routing file uses it to find duplicate keywords; keyword matching should use the same fold.
 */
export function foldKeywordCase(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\u0307/g, '');
}
