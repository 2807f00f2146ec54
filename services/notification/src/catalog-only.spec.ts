import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/**
 * SPEC §14: every text a person reads comes from the catalogs. This scans the code that builds what people read —
 * Block Kit, modals, SMS, emails, trend alerts, the digest, the customer pages — for literal text that did not:
 * - a literal with a word (two letters or more) as a `text`/`title`/`label`/`placeholder`/`submit`/`close` value;
 * - anywhere else, a literal with two words in a row ("Claimed by", "not claimed yet"), which is a sentence.
 * Not text for people, so not scanned: log messages, thrown errors, SQL, HTML markup (the text between tags is),
 * imports, types, the `detail` of an HTTP error answered to Slack or Twilio (a machine), and the short list below.
 */
const DIRS = ['slack', 'alerts', 'trends', 'digest', 'recheck', 'outreach', 'privacy'];
const SHOWN = new Set(['text', 'title', 'label', 'placeholder', 'submit', 'close']);
const WORD = /\p{L}{2,}/u;
const SENTENCE = /\p{L}{2,}\s+\p{L}{2,}/u;
/** Literal text that is not for people, each with why. */
const ALLOWED: RegExp[] = [
  /^Re: $/, // the reply prefix of an email subject: a mail convention every client threads on (RFC 5322 §3.6.5)
  /\b(SELECT|INSERT INTO|UPDATE|DELETE FROM|WHERE|VALUES|ON CONFLICT|FOR UPDATE|ORDER BY|RETURNING|SET)\b/, // SQL, upper case
];
const NOT_SHOWN = new Set(['detail']);
/** Markup is not text: `<button type="submit">` has no words a person reads. */
const withoutTags = (text: string) => text.replace(/<[^>]*(>|$)/g, ' ');

function isLoggedOrThrown(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (ts.isCallExpression(n) && /(^|\.)log\.(trace|debug|info|warn|error|fatal)$/.test(n.expression.getText())) return true;
    if (ts.isNewExpression(n) && /Error$/.test(n.expression.getText())) return true;
    if (ts.isImportDeclaration(n) || ts.isExportDeclaration(n) || ts.isTypeNode(n) || ts.isDecorator(n)) return true;
    if (ts.isBlock(n) || ts.isSourceFile(n)) return false;
  }
  return false;
}

/** The property a literal is the value of, through conditionals, `??`/`||` and templates. */
function shownAs(node: ts.Node): string | undefined {
  let n: ts.Node = node;
  while (n.parent && (ts.isConditionalExpression(n.parent) || ts.isBinaryExpression(n.parent) || ts.isTemplateSpan(n.parent) || ts.isTemplateExpression(n.parent) || ts.isParenthesizedExpression(n.parent))) n = n.parent;
  return n.parent && ts.isPropertyAssignment(n.parent) && n.parent.initializer === n ? n.parent.name.getText() : undefined;
}

function literalTexts(file: string, code = readFileSync(file, 'utf8')): { text: string; line: number; why: string }[] {
  const source = ts.createSourceFile(file, code, ts.ScriptTarget.ES2022, true);
  const found: { text: string; line: number; why: string }[] = [];
  const visit = (node: ts.Node) => {
    const pieces = ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ? [node.text]
      : ts.isTemplateExpression(node) ? [node.head.text, ...node.templateSpans.map((s) => s.literal.text)] : [];
    for (const text of pieces) {
      const prop = shownAs(node);
      if (ALLOWED.some((a) => a.test(text)) || isLoggedOrThrown(node) || (prop && NOT_SHOWN.has(prop))) continue;
      const visible = withoutTags(text);
      const why = prop && SHOWN.has(prop) && WORD.test(visible) ? `a word as ${prop}` : SENTENCE.test(visible) ? 'a sentence' : undefined;
      if (why) found.push({ text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, why });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const FILES = DIRS.flatMap((dir) => readdirSync(join(__dirname, dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts')).map((f) => join(dir, f)));

describe('no text for people outside the catalogs (SPEC §14)', () => {
  it('scans the builders', () => {
    expect(FILES).toEqual(expect.arrayContaining(['slack/blocks.ts', 'slack/message-modal.ts', 'alerts/sms-text.ts', 'alerts/email-text.ts', 'trends/trend-message.ts', 'digest/digest-text.ts', 'recheck/page.ts']));
  });

  it.each(FILES)('%s', (file) => {
    expect(literalTexts(join(__dirname, file)).map((f) => `${file}:${f.line} ${f.why}: ${JSON.stringify(f.text)}`)).toEqual([]);
  });

  it('would catch a text written in place', () => {
    const probe = [
      "const claim = { type: 'button', action_id: 'claim', text: { type: 'plain_text', text: 'Claim' } };",
      'const status = `🙋 *Claimed by ${who}*`;',
      "const menu = { placeholder: { type: 'plain_text', text: i18n.t('alert.button.assign') }, other: cond ? 'x' : 'Assign' };",
      "const select = { placeholder: open ? i18n.t('a') : 'Pick one' };",
      "this.log.warn({ id }, 'slack user is not linked to an agent');",
      "const sql = `SELECT ticket_id FROM ${table} WHERE id = $1`;",
      "const html = [`<button type=\"submit\">${esc(send)}</button>`, '<p>Thank you for your answer</p>'];",
    ].join('\n');
    expect(literalTexts('probe.ts', probe).map((f) => `${f.line} ${f.why}`)).toEqual(['1 a word as text', '2 a sentence', '4 a word as placeholder', '7 a sentence']);
  });
});
