// The template syntax (SPEC §11): plain text with `{{variable}}` placeholders, nothing else (no conditionals,
// no filters), so a template reads the same in the routing file, in the preview and on the customer's phone.
// Validation at start and rendering at send time both read a text through `parseTemplateText`.

export type TemplatePart = { text: string } | { variable: string };

export type ParsedTemplateText = { ok: true; parts: TemplatePart[] } | { ok: false; errors: string[] };

/**
 * Splits a text into literal parts and `{{ name }}` placeholders (spaces inside the braces are allowed). A `{{`
 * that is never closed, a `}}` that was never opened and an empty `{{}}` are errors, each with its character
 * position; single braces are ordinary text. Whether a name is a known variable is the caller's question.
 */
export function parseTemplateText(text: string): ParsedTemplateText {
  const parts: TemplatePart[] = [];
  const errors: string[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    const close = text.indexOf('}}', i);
    if (close !== -1 && (open === -1 || close < open)) {
      errors.push(`"}}" at character ${close + 1} closes nothing (unbalanced braces)`);
      pushText(parts, text.slice(i, close + 2));
      i = close + 2;
      continue;
    }
    if (open === -1) {
      pushText(parts, text.slice(i));
      break;
    }
    pushText(parts, text.slice(i, open));
    const end = text.indexOf('}}', open + 2);
    const reopened = text.indexOf('{{', open + 2);
    if (end === -1 || (reopened !== -1 && reopened < end)) {
      errors.push(`"{{" at character ${open + 1} is never closed with "}}" (unbalanced braces)`);
      pushText(parts, '{{');
      i = open + 2;
      continue;
    }
    const name = text.slice(open + 2, end).trim();
    if (name === '') errors.push(`"{{}}" at character ${open + 1} names no variable`);
    else parts.push({ variable: name });
    i = end + 2;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, parts };
}

/** The variable names a text uses, in order of first use; [] when it does not parse. */
export function templateVariables(text: string): string[] {
  const parsed = parseTemplateText(text);
  if (!parsed.ok) return [];
  return [...new Set(parsed.parts.flatMap((p) => ('variable' in p ? [p.variable] : [])))];
}

function pushText(parts: TemplatePart[], text: string): void {
  if (text === '') return;
  const last = parts[parts.length - 1];
  if (last && 'text' in last) last.text += text;
  else parts.push({ text });
}
