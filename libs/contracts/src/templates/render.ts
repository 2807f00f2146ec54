// Rendering a routing-file template (SPEC §11) for one customer: pick the locale, fill in the variables.
// Emails are plain text (text/plain; charset=utf-8), so values go in verbatim on both channels: there is no
// markup to escape, and a customer's name like "O'Brien <Ltd>" reaches them as written. Only the subject, a
// mail header, has line breaks in values folded to spaces.
import { FALLBACK_LOCALE } from '../routing/sections/templates';
import type { LocalizedTemplate, TemplateVariable, Templates } from '../routing/routing-config';
import { parseTemplateText } from './syntax';

export type MessageChannel = 'sms' | 'email';
export type TemplateValues = Partial<Record<TemplateVariable, string>>;

/** `locale` is the entry the text came from (after fallback), for the timeline and the preview. */
export type RenderedMessage =
  | { channel: 'sms'; template: string; locale: string; text: string }
  | { channel: 'email'; template: string; locale: string; subject: string; text: string };

export type RenderFailure = {
  ok: false;
  reason: 'unknown-template' | 'no-text-for-channel' | 'missing-value' | 'invalid-template';
  message: string;
};
export type RenderResult = { ok: true; message: RenderedMessage } | RenderFailure;

/**
 * The locales to try for a customer's `locale`, most specific first, ending with `en`:
 * `zh-Hant-TW` → `zh-Hant-TW`, `zh-Hant`, `zh`, `en`; `tr_TR` → `tr-TR`, `tr`, `en`; none → `en`.
 */
export function localeFallbacks(locale: string | undefined | null): string[] {
  const tags: string[] = [];
  const subtags = (locale ?? '').trim().replace(/_/g, '-').split('-').filter((s) => s !== '');
  for (let n = subtags.length; n > 0; n--) tags.push(subtags.slice(0, n).join('-'));
  if (!tags.some((t) => t.toLowerCase() === FALLBACK_LOCALE)) tags.push(FALLBACK_LOCALE);
  return tags;
}

/**
 * Renders template `name` for `channel` in the customer's `locale`, falling back per channel (a `tr` entry
 * without an email uses `en`'s email). Never throws and never renders "undefined": a variable the text uses
 * without a non-blank value is a `missing-value` failure naming it.
 */
export function renderTemplate(
  templates: Templates,
  name: string,
  channel: MessageChannel,
  locale: string | undefined | null,
  values: TemplateValues,
): RenderResult {
  const byLocale = Object.prototype.hasOwnProperty.call(templates, name) ? templates[name] : undefined;
  if (!byLocale) {
    const known = Object.keys(templates);
    return fail('unknown-template', `unknown template ${JSON.stringify(name)} (templates: ${known.length ? known.join(', ') : 'none in the routing file'})`);
  }
  const found = pick(byLocale, channel, localeFallbacks(locale));
  if (!found) {
    return fail('no-text-for-channel', `template ${JSON.stringify(name)} has no ${channel} text for ${JSON.stringify(locale ?? FALLBACK_LOCALE)} nor for "${FALLBACK_LOCALE}"`);
  }
  const where = `template ${JSON.stringify(name)} (${found.locale}, ${channel})`;
  if (channel === 'sms') {
    const text = fill(found.entry.sms as string, values, where, false);
    return text.ok ? { ok: true, message: { channel, template: name, locale: found.locale, text: text.text } } : text;
  }
  const email = found.entry.email as NonNullable<LocalizedTemplate['email']>;
  const subject = fill(email.subject, values, where, true);
  if (!subject.ok) return subject;
  const body = fill(email.body, values, where, false);
  if (!body.ok) return body;
  return { ok: true, message: { channel, template: name, locale: found.locale, subject: subject.text, text: body.text } };
}

function pick(byLocale: Record<string, LocalizedTemplate>, channel: MessageChannel, chain: string[]) {
  for (const tag of chain) {
    const locale = Object.keys(byLocale).find((k) => k.toLowerCase() === tag.toLowerCase());
    if (locale !== undefined && byLocale[locale][channel] !== undefined) return { locale, entry: byLocale[locale] };
  }
  return undefined;
}

function fill(text: string, values: TemplateValues, where: string, oneLine: boolean): { ok: true; text: string } | RenderFailure {
  const parsed = parseTemplateText(text);
  if (!parsed.ok) return fail('invalid-template', `${where}: ${parsed.errors.join('; ')}`);
  const missing: string[] = [];
  let out = '';
  for (const part of parsed.parts) {
    if ('text' in part) {
      out += part.text;
      continue;
    }
    const value = (values as Record<string, unknown>)[part.variable];
    if (typeof value !== 'string' || value.trim() === '') {
      if (!missing.includes(part.variable)) missing.push(part.variable);
      continue;
    }
    out += oneLine ? value.replace(/\s*[\r\n]+\s*/g, ' ') : value;
  }
  if (missing.length > 0) {
    return fail('missing-value', `${where} needs ${missing.map((v) => `{{${v}}}`).join(', ')}, which ${missing.length === 1 ? 'has' : 'have'} no value`);
  }
  return { ok: true, text: out };
}

function fail(reason: RenderFailure['reason'], message: string): RenderFailure {
  return { ok: false, reason, message };
}
