/**
 * SPEC §14: every text a person reads in the console comes from the catalogs (libs/contracts/src/i18n/catalogs/console).
 * This scan parses every .tsx of the web app with the TypeScript compiler and fails on text built in JSX: a text node,
 * a string in braces, or a string attribute a person reads (title, aria-label, placeholder, alt), when it has a letter.
 * Identifiers from the data (team ids, names, comments) are expressions and pass; what is left is the brand name and
 * the percentile column heads, the same in every language.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ALLOWED = new Set(['Closeloop', 'p50', 'p90', 'p99']);
const READ_ATTRIBUTES = new Set(['title', 'aria-label', 'placeholder', 'alt']);
const LETTER = /\p{L}/u;

/** Each literal text a person would read in this source: `line: text`. */
export function literalTexts(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const report = (node: ts.Node, text: string) => {
    const t = text.replace(/\s+/g, ' ').trim();
    if (LETTER.test(t) && !ALLOWED.has(t)) found.push(`${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${t}`);
  };
  const stringsOf = (e: ts.Expression | undefined): [ts.Node, string][] => {
    if (!e) return [];
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return [[e, e.text]];
    if (ts.isTemplateExpression(e)) return [[e.head, e.head.text], ...e.templateSpans.map((s): [ts.Node, string] => [s.literal, s.literal.text])];
    if (ts.isConditionalExpression(e)) return [...stringsOf(e.whenTrue), ...stringsOf(e.whenFalse)];
    if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.BarBarToken || e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || e.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken)) return [...stringsOf(e.left), ...stringsOf(e.right)];
    if (ts.isParenthesizedExpression(e)) return stringsOf(e.expression);
    return [];
  };
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node)) report(node, node.text);
    else if (ts.isJsxExpression(node) && ts.isJsxElement(node.parent)) for (const [n, t] of stringsOf(node.expression)) report(n, t);
    else if (ts.isJsxAttribute(node) && READ_ATTRIBUTES.has(node.name.getText(file)) && node.initializer) {
      if (ts.isStringLiteral(node.initializer)) report(node.initializer, node.initializer.text);
      else if (ts.isJsxExpression(node.initializer)) for (const [n, t] of stringsOf(node.initializer.expression)) report(n, t);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function tsxFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsxFiles(p) : e.name.endsWith('.tsx') ? [p] : [];
  });
}

describe('the scan for text outside the catalogs', () => {
  it.each([
    ['<p>No tickets match.</p>', ['1: No tickets match.']],
    ['<th>Score</th>', ['1: Score']],
    ['<p>{"Loading…"}</p>', ['1: Loading…']],
    ['<p>{busy ? "Signing in…" : t("x")}</p>', ['1: Signing in…']],
    ['<p>{`Team ${id} at a glance`}</p>', ['1: Team', '1: at a glance']],
    ['<input placeholder="customer id" />', ['1: customer id']],
    ['<svg aria-label={title ?? "bar chart"} />', ['1: bar chart']],
    ['<img alt="logo" />', ['1: logo']],
    ['<p>תיבת נכנסים</p>', ['1: תיבת נכנסים']],
    ['<p>{i18n.t("console.nav.inbox")}</p>', []],
    ['<p>{t.customer.name} · {t.team} ×{n} — ({x})</p>', []],
    ['<strong className="brand">Closeloop</strong>', []],
    ['<td data-col="claim" className="small mono">{x}</td>', []],
    ['<th>p90</th>', []],
  ])('%s → %j', (jsx, expected) => {
    expect(literalTexts('sample.tsx', `export const X = () => ${jsx};`)).toEqual(expected);
  });
});

describe('the console web app (SPEC §14)', () => {
  const files = tsxFiles(__dirname);
  it('has its pages to scan', () => {
    expect(files.map((f) => path.relative(__dirname, f)).sort()).toEqual(expect.arrayContaining(['main.tsx', 'charts.tsx', 'components.tsx', path.join('pages', 'Inbox.tsx'), path.join('pages', 'TicketPage.tsx')]));
  });
  it.each(files.map((f) => [path.relative(__dirname, f), f]))('%s builds no text a person reads outside the catalogs', (_, file) => {
    expect(literalTexts(file, readFileSync(file, 'utf8'))).toEqual([]);
  });
});
