import { stringify } from 'yaml';
import { parseRoutingConfig } from '../parse-routing-config';
import type { RoutingConfigProblem } from '../routing-config';

const REST = {
  defaults: { team: 'cx', alertAt: { nps: 6, csat: 2, ces: 3 } },
  teams: [{ id: 'cx', sla: { firstResponse: 'PT1H', resolve: 'PT48H' } }],
  rootCauses: ['other'],
};

const EMAIL = { subject: 'Sorry, {{customer.name}}', body: 'Hi {{customer.name}},\n\n{{agent.name}} here. Ref {{ticket.id}}' };
const APOLOGY = {
  en: { sms: 'Hi {{customer.name}}, this is {{agent.name}}. Sorry about your {{touchpoint}} visit.', email: EMAIL },
  tr: { sms: 'Merhaba {{ customer.name }}, ben {{agent.name}}. Özür dileriz.' },
  'zh-Hant': { sms: '{{customer.name}}您好，我是{{agent.name}}。' },
  'pt-BR': { email: { subject: 'Desculpe', body: 'Olá {{customer.name}}' } },
};
const RECHECK = {
  en: { sms: 'How are we doing now? {{recheckUrl}}', email: { subject: 'One question', body: 'Tell us: {{recheckUrl}}' } },
  he: { sms: 'מה שלומכם עכשיו? {{recheckUrl}}' },
};

function parse(templates: unknown) {
  return parseRoutingConfig(stringify({ ...REST, templates }));
}

function errorsOf(templates: unknown): Pick<RoutingConfigProblem, 'path' | 'message'>[] {
  const r = parse(templates);
  if (r.ok) throw new Error('expected the templates to be rejected');
  return r.errors.map(({ path, message }) => ({ path, message }));
}

const apology = (locales: Record<string, unknown>) => ({ apology: { ...APOLOGY, ...locales } });

describe('routing file: templates', () => {
  it('accepts templates with either channel per locale and keeps every text as written', () => {
    const r = parse({ apology: APOLOGY, recheck: RECHECK });
    if (!r.ok) throw new Error(r.message);
    expect(r.config.templates).toEqual({ apology: APOLOGY, recheck: RECHECK });
  });

  it('is optional: no templates → {}', () => {
    const r = parseRoutingConfig(stringify(REST));
    expect(r.ok && r.config.templates).toEqual({});
  });

  it.each<[string, unknown, { path: string; message: string }[]]>([
    ['an unknown variable, with a did-you-mean', apology({ tr: { sms: 'Merhaba {{customer.nmae}}' } }), [
      { path: 'templates.apology.tr.sms', message: 'unknown variable {{customer.nmae}} — did you mean "customer.name"? (variables: customer.name, agent.name, touchpoint, ticket.id, recheckUrl)' },
    ]],
    ['an unknown variable in an email subject', apology({ en: { ...APOLOGY.en, email: { ...EMAIL, subject: '{{store}} is sorry' } } }), [
      { path: 'templates.apology.en.email.subject', message: 'unknown variable {{store}} (variables: customer.name, agent.name, touchpoint, ticket.id, recheckUrl)' },
    ]],
    ['a "{{" never closed', apology({ tr: { sms: 'Merhaba {{customer.name}, nasılsınız' } }), [
      { path: 'templates.apology.tr.sms', message: '"{{" at character 9 is never closed with "}}" (unbalanced braces)' },
    ]],
    ['a "}}" never opened', apology({ tr: { sms: 'Merhaba customer.name}}' } }), [
      { path: 'templates.apology.tr.sms', message: '"}}" at character 22 closes nothing (unbalanced braces)' },
    ]],
    ['an empty placeholder', apology({ tr: { sms: 'Merhaba {{ }}' } }), [
      { path: 'templates.apology.tr.sms', message: '"{{}}" at character 9 names no variable' },
    ]],
    ['no en entry (the fallback)', { apology: { tr: APOLOGY.tr, he: { sms: 'שלום' } } }, [
      { path: 'templates.apology', message: 'needs an "en" entry: it is the fallback for customers whose language has none (has: tr, he)' },
    ]],
    ['an en entry without a channel another locale has', { apology: { en: { email: EMAIL }, tr: APOLOGY.tr, id: { sms: 'Halo {{customer.name}}' } } }, [
      { path: 'templates.apology.en.sms', message: 'is required: tr, id have an sms text, and "en" is its fallback' },
    ]],
    ['a locale that is not a language tag', apology({ turkish: { sms: 'Merhaba' }, tr_TR: { sms: 'Merhaba' } }), [
      { path: 'templates.apology.turkish', message: 'not a language tag like "en", "tr", "zh-Hant" or "pt-BR" ("turkish")' },
      { path: 'templates.apology.tr_TR', message: 'not a language tag like "en", "tr", "zh-Hant" or "pt-BR" ("tr_TR")' },
    ]],
    ['the same locale twice in another case', apology({ TR: { sms: 'Merhaba' } }), [
      { path: 'templates.apology.TR', message: 'duplicate locale "TR" (first at templates.apology.tr)' },
    ]],
    ['an empty text', apology({ tr: { sms: '  ' } }), [{ path: 'templates.apology.tr.sms', message: 'must not be empty' }]],
    ['a locale with neither channel', apology({ tr: {} }), [
      { path: 'templates.apology.tr', message: 'needs an sms text, an email { subject, body } or both' },
    ]],
    ['an email without a body', apology({ tr: { email: { subject: 'Özür dileriz' } } }), [
      { path: 'templates.apology.tr.email.body', message: 'is required' },
    ]],
    ['a subject on two lines', apology({ tr: { email: { subject: 'Özür\ndileriz', body: 'Merhaba' } } }), [
      { path: 'templates.apology.tr.email.subject', message: 'must be one line (a subject is a mail header)' },
    ]],
    ['unknown keys in an entry and an email', apology({ tr: { sms: 'Merhaba', whatsapp: 'x', email: { subject: 's', body: 'b', html: '<p>' } } }), [
      { path: 'templates.apology.tr.whatsapp', message: 'unknown key (allowed: sms, email)' },
      { path: 'templates.apology.tr.email.html', message: 'unknown key (allowed: subject, body)' },
    ]],
    ['an unquoted text that starts with "{{" (YAML reads a mapping)', apology({ tr: { sms: { '{customer.name}': null } } }), [
      { path: 'templates.apology.tr.sms', message: 'must be a text (got a mapping); quote a text that starts with "{{", YAML reads it as a mapping' },
    ]],
    ['a template name with a space', { 'sorry now': { en: { sms: 'Sorry' } } }, [
      { path: 'templates["sorry now"]', message: 'must be an id of letters, digits, ".", "_" and "-" ("sorry now")' },
    ]],
    ['a template that is not a mapping of locales', { apology: 'Sorry!' }, [
      { path: 'templates.apology', message: 'must be a mapping (got "Sorry!")' },
    ]],
    ['a recheck text without {{recheckUrl}}, sms and email body', { recheck: { ...RECHECK, tr: { sms: 'Nasıldık?', email: { subject: 'Bir soru', body: 'Nasıldık?' } } } }, [
      { path: 'templates.recheck.tr.sms', message: 'must include {{recheckUrl}}: the recheck message exists to carry the link to its question' },
      { path: 'templates.recheck.tr.email.body', message: 'must include {{recheckUrl}}: the recheck message exists to carry the link to its question' },
    ]],
  ])('rejects %s', (_case, templates, expected) => {
    expect(errorsOf(templates)).toEqual(expected);
  });

  it('lists every problem of every template at once, with line and column', () => {
    const r = parseRoutingConfig(`defaults: { team: cx, alertAt: { nps: 6, csat: 2, ces: 3 } }
teams: [{ id: cx, sla: { firstResponse: PT1H, resolve: PT48H } }]
rootCauses: [other]
templates:
  apology:
    tr: { sms: "Merhaba {{musteri}}" }
  recheck:
    en: { sms: "How did we do?" }
`);
    if (r.ok) throw new Error('expected the templates to be rejected');
    expect(r.errors).toEqual([
      { path: 'templates.apology', message: 'needs an "en" entry: it is the fallback for customers whose language has none (has: tr)', line: 5, col: 3 },
      { path: 'templates.apology.tr.sms', message: 'unknown variable {{musteri}} (variables: customer.name, agent.name, touchpoint, ticket.id, recheckUrl)', line: 6, col: 11 },
      { path: 'templates.recheck.en.sms', message: 'must include {{recheckUrl}}: the recheck message exists to carry the link to its question', line: 8, col: 11 },
    ]);
  });
});

describe('routing file: a team\'s recheckAfter and email', () => {
  const teams = (team: Record<string, unknown>) => parseRoutingConfig(stringify({ ...REST, teams: [{ ...REST.teams[0], ...team }] }));

  it('defaults recheckAfter to P3D and email to []; keeps what the file says', () => {
    const plain = teams({});
    const set = teams({ recheckAfter: 'P1D', email: ['leads@example.com', 'cx@lezzet.example.com.tr'] });
    if (!plain.ok) throw new Error(plain.message);
    if (!set.ok) throw new Error(set.message);
    expect([plain.config.teams[0].recheckAfter, plain.config.teams[0].recheckAfterMs, plain.config.teams[0].email]).toEqual(['P3D', 259_200_000, []]);
    expect([set.config.teams[0].recheckAfter, set.config.teams[0].recheckAfterMs, set.config.teams[0].email]).toEqual(['P1D', 86_400_000, ['leads@example.com', 'cx@lezzet.example.com.tr']]);
  });

  it.each<[string, Record<string, unknown>, { path: string; message: string }[]]>([
    ['recheckAfter in months', { recheckAfter: 'P1M' }, [
      { path: 'teams[0].recheckAfter', message: 'years and months have no fixed length ("P1M"); use days or weeks, e.g. P30D' },
    ]],
    ['recheckAfter of zero', { recheckAfter: 'PT0S' }, [{ path: 'teams[0].recheckAfter', message: 'must be longer than zero ("PT0S")' }]],
    ['recheckAfter as a number', { recheckAfter: 3 }, [
      { path: 'teams[0].recheckAfter', message: 'not an ISO-8601 duration (got number 3; quote it if it is meant as text); expected e.g. PT1H' },
    ]],
    ['email as one string', { email: 'leads@example.com' }, [{ path: 'teams[0].email', message: 'must be a list (got "leads@example.com")' }]],
    ['an email that is a name', { email: ['Ayşe Yılmaz'] }, [
      { path: 'teams[0].email[0]', message: 'not an email address like "leads@example.com" ("Ayşe Yılmaz")' },
    ]],
    ['the same address twice', { email: ['leads@example.com', 'Leads@Example.com'] }, [
      { path: 'teams[0].email[1]', message: 'duplicate email address "Leads@Example.com" (first at teams[0].email[0])' },
    ]],
  ])('rejects %s', (_case, team, expected) => {
    const r = teams(team);
    if (r.ok) throw new Error('expected the team to be rejected');
    expect(r.errors.map(({ path, message }) => ({ path, message }))).toEqual(expected);
  });
});
