// `templates` (SPEC §11): messages to customers, by name then locale, each with an SMS text, an email or both.
import { parseTemplateText } from '../../templates/syntax';
import { TEMPLATE_VARIABLES, type LocalizedTemplate, type Templates } from '../routing-config';
import { Path, Problems, Unique, got, idString, mapping, suggest } from './building-blocks';

/** The fallback every template must have: customers whose language has no entry get this one. */
export const FALLBACK_LOCALE = 'en';
/** BCP-47 as far as a message needs it: language, optional script, optional region (`en`, `zh-Hant`, `pt-BR`, `es-419`). */
const LOCALE_TAG = /^[a-z]{2,3}(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?$/i;
/** The template resolving with `recheck: true` sends; its whole point is the link. */
const RECHECK = 'recheck';

export function validateTemplates(p: Problems, raw: unknown, path: Path): Templates {
  if (raw == null) return {};
  const names = mapping(p, raw, path, [], Object.keys((raw ?? {}) as object));
  if (!names) return {};
  const out: Templates = {};
  for (const [name, value] of Object.entries(names)) {
    const at = [...path, name];
    if (idString(p, name, at) === undefined) continue;
    out[name] = validateTemplate(p, value, at, name);
  }
  return out;
}

function validateTemplate(p: Problems, raw: unknown, path: Path, name: string): Record<string, LocalizedTemplate> {
  const locales = mapping(p, raw, path, [], Object.keys((raw ?? {}) as object));
  if (!locales) return {};
  const seen = new Unique(p, 'locale', (tag) => tag.toLowerCase());
  const out: Record<string, LocalizedTemplate> = {};
  for (const [locale, value] of Object.entries(locales)) {
    const at = [...path, locale];
    if (!LOCALE_TAG.test(locale)) {
      p.add(at, `not a language tag like "en", "tr", "zh-Hant" or "pt-BR" (${JSON.stringify(locale)})`);
      continue;
    }
    seen.check(locale, at);
    const entry = validateLocalized(p, value, at, name === RECHECK);
    if (entry) out[locale] = entry;
  }
  const fallback = Object.keys(locales).find((l) => l.toLowerCase() === FALLBACK_LOCALE);
  if (fallback === undefined) {
    const written = Object.keys(locales);
    p.add(path, `needs an "${FALLBACK_LOCALE}" entry: it is the fallback for customers whose language has none${written.length ? ` (has: ${written.join(', ')})` : ''}`);
  } else if (locales[fallback] != null && typeof locales[fallback] === 'object') {
    // Fallback is per channel, so the fallback must carry every channel some other locale has.
    const en = locales[fallback] as Record<string, unknown>;
    for (const channel of ['sms', 'email'] as const) {
      const others = Object.keys(locales).filter((l) => l !== fallback && (locales[l] as Record<string, unknown> | null)?.[channel] != null);
      if (en[channel] == null && others.length > 0) {
        p.add([...path, fallback, channel], `is required: ${others.join(', ')} ${others.length === 1 ? 'has' : 'have'} ${channel === 'sms' ? 'an sms text' : 'an email'}, and "${FALLBACK_LOCALE}" is its fallback`);
      }
    }
  }
  return out;
}

function validateLocalized(p: Problems, raw: unknown, path: Path, isRecheck: boolean): LocalizedTemplate | undefined {
  const o = mapping(p, raw, path, [], ['sms', 'email']);
  if (!o) return undefined;
  if (o.sms == null && o.email == null) {
    p.add(path, 'needs an sms text, an email { subject, body } or both');
    return undefined;
  }
  const out: LocalizedTemplate = {};
  if (o.sms != null) {
    const sms = templateText(p, o.sms, [...path, 'sms'], isRecheck);
    if (sms !== undefined) out.sms = sms;
  }
  if (o.email != null) {
    const email = mapping(p, o.email, [...path, 'email'], ['subject', 'body'], []);
    if (email) {
      const subject = email.subject == null ? undefined : templateText(p, email.subject, [...path, 'email', 'subject'], false);
      if (subject !== undefined && /[\r\n]/.test(subject.trim())) {
        p.add([...path, 'email', 'subject'], 'must be one line (a subject is a mail header)');
      }
      const body = email.body == null ? undefined : templateText(p, email.body, [...path, 'email', 'body'], isRecheck);
      if (subject !== undefined && body !== undefined) out.email = { subject: subject.trim(), body };
    }
  }
  return out;
}

/** A text with known variables only; a `recheck` text must carry the link. */
function templateText(p: Problems, v: unknown, path: Path, needsRecheckUrl: boolean): string | undefined {
  if (typeof v !== 'string') {
    const hint = v !== null && typeof v === 'object' && !Array.isArray(v) ? '; quote a text that starts with "{{", YAML reads it as a mapping' : '';
    p.add(path, `must be a text${got(v)}${hint}`);
    return undefined;
  }
  if (v.trim() === '') {
    p.add(path, 'must not be empty');
    return undefined;
  }
  const parsed = parseTemplateText(v);
  if (!parsed.ok) {
    for (const e of parsed.errors) p.add(path, e);
    return undefined;
  }
  let ok = true;
  const known: readonly string[] = TEMPLATE_VARIABLES;
  for (const part of parsed.parts) {
    if (!('variable' in part) || known.includes(part.variable)) continue;
    p.add(path, `unknown variable {{${part.variable}}}${suggest(part.variable, known).replace('allowed:', 'variables:')}`);
    ok = false;
  }
  if (needsRecheckUrl && !parsed.parts.some((part) => 'variable' in part && part.variable === 'recheckUrl')) {
    p.add(path, 'must include {{recheckUrl}}: the recheck message exists to carry the link to its question');
    ok = false;
  }
  return ok ? v : undefined;
}
