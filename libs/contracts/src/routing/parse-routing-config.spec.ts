import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { formatRoutingErrors, parseRoutingConfig } from './parse-routing-config';
import type { RoutingConfig, RoutingConfigProblem } from './routing-config';

// Verbatim from SPEC §3.
const SPEC_EXAMPLE = `
defaults:
  team: cx                        # team for touchpoints not listed
  alertAt: { nps: 6, csat: 2, ces: 3 }   # alert when score <= this (nps 0-10, csat 1-5, ces 1-7)
teams:
  - id: cx
    slackChannel: C0CX           # Slack channel id
    onCall: ["+905551112233"]    # E.164 numbers for SMS
    quietHours: { start: "22:00", end: "07:00", timezone: "Europe/Istanbul" }   # optional; critical bypasses
    sla: { firstResponse: PT1H, resolve: PT48H }                              # ISO-8601 durations
touchpoints:
  - id: checkout
    team: cx
    alertAt: { nps: 5 }          # optional override
keywords:                        # case-insensitive, any language, matched on the comment
  critical: ["lawyer", "avukat", "עורך דין", "律師", "pengacara"]
  alert: ["refund", "iade", "退款", "החזר", "kasar"]
agents:
  - { id: ayse, name: "Ayşe Yılmaz", team: cx, slackUserId: U0AYSE, phone: "+905550000001" }
rootCauses: [staff-behaviour, wait-time, product-quality, billing, delivery, other]
`;

/** A valid file with more than one of everything, as a plain object to mutate per case. */
function base(): any {
  const doc = parse(SPEC_EXAMPLE);
  doc.teams.push(
    { id: 'delivery', onCall: [], sla: { firstResponse: 'PT30M', resolve: 'P1D' } },
    { id: 'support', slackChannel: 'C0SUPPORT', onCall: ['+972501234567'], sla: { firstResponse: 'PT2H', resolve: 'P1W' } },
  );
  doc.touchpoints.push({ id: 'dine-in', team: 'cx' }, { id: 'delivery', team: 'delivery' });
  doc.agents.push(
    { id: 'budi', name: 'Budi', team: 'delivery', slackUserId: 'U0BUDI' },
    { id: 'noa', name: 'Noa Levi', team: 'support', slackUserId: 'U0NOA', phone: '+972501234568' },
  );
  return doc;
}

function errorsOf(doc: unknown): RoutingConfigProblem[] {
  const result = parseRoutingConfig(typeof doc === 'string' ? doc : stringify(doc));
  if (result.ok) throw new Error('expected the routing file to be rejected');
  return result.errors;
}

function configOf(text: string): RoutingConfig {
  const result = parseRoutingConfig(text);
  if (!result.ok) throw new Error(result.message);
  return result.config;
}

describe('parseRoutingConfig', () => {
  it('accepts the SPEC example and fills in parsed SLAs', () => {
    expect(configOf(SPEC_EXAMPLE)).toEqual({
      defaults: { team: 'cx', alertAt: { nps: 6, csat: 2, ces: 3 } },
      teams: [
        {
          id: 'cx',
          slackChannel: 'C0CX',
          onCall: ['+905551112233'],
          quietHours: { start: '22:00', end: '07:00', timezone: 'Europe/Istanbul' },
          sla: { firstResponse: 'PT1H', resolve: 'PT48H' },
          slaMs: { firstResponse: 3_600_000, resolve: 48 * 3_600_000 },
          recheckAfter: 'P3D',
          recheckAfterMs: 3 * 86_400_000,
          email: [],
          escalation: [],
          assign: 'none',
          locale: 'en',
        },
      ],
      touchpoints: [{ id: 'checkout', team: 'cx', alertAt: { nps: 5 } }],
      keywords: {
        critical: ['lawyer', 'avukat', 'עורך דין', '律師', 'pengacara'],
        alert: ['refund', 'iade', '退款', 'החזר', 'kasar'],
      },
      agents: [{ id: 'ayse', name: 'Ayşe Yılmaz', team: 'cx', role: 'agent', locale: 'en', slackUserId: 'U0AYSE', phone: '+905550000001' }],
      rootCauses: ['staff-behaviour', 'wait-time', 'product-quality', 'billing', 'delivery', 'other'],
      sources: [],
      templates: {},
    });
  });

  it('accepts the extended fixture used by the rule table', () => {
    expect(parseRoutingConfig(stringify(base())).ok).toBe(true);
  });

  it('defaults optional lists to empty and omits absent optional fields', () => {
    const config = configOf(`
defaults: { team: cx, alertAt: { nps: 6, csat: 2, ces: 3 } }
teams:
  - { id: cx, sla: { firstResponse: PT1H, resolve: PT48H } }
touchpoints:            # present but empty
rootCauses: [other]
`);
    expect(config.touchpoints).toEqual([]);
    expect(config.keywords).toEqual({ critical: [], alert: [] });
    expect(config.agents).toEqual([]);
    expect(config.teams[0]).toEqual({
      id: 'cx',
      onCall: [],
      sla: { firstResponse: 'PT1H', resolve: 'PT48H' },
      slaMs: { firstResponse: 3_600_000, resolve: 172_800_000 },
      recheckAfter: 'P3D',
      recheckAfterMs: 259_200_000,
      email: [],
      escalation: [],
      assign: 'none',
      locale: 'en',
    });
    expect('slackChannel' in config.teams[0]).toBe(false);
    expect('quietHours' in config.teams[0]).toBe(false);
  });

  it('keeps Hebrew, Chinese, Turkish and Indonesian keywords exactly as written', () => {
    const doc = base();
    doc.keywords = {
      critical: ['עורך דין', '律師', '投诉', 'AVUKAT', 'İptal', 'pengacara'],
      alert: ['החזר', '退款', 'ıslak', 'şikâyet', 'Kasar'],
    };
    expect(configOf(stringify(doc)).keywords).toEqual(doc.keywords);
  });

  it('reports every mistake in a file, each with its path and position', () => {
    const text = `defaults:
  team: cx
  alertAt: { nps: 11, csat: 2, ces: 3 }
teams:
  - id: cx
    onCall: ["+905551112233"]
    sla: { firstResponse: PT1H, resolve: 48 hours }
touchpoints:
  - id: checkout
    team: sales
rootCauses: [other]
`;
    expect(errorsOf(text)).toEqual([
      { path: 'defaults.alertAt.nps', message: 'must be an integer 0-10 (got number 11)', line: 3, col: 14 },
      { path: 'teams[0].sla.resolve', message: expect.stringContaining('not an ISO-8601 duration ("48 hours")'), line: 7, col: 33 },
      { path: 'touchpoints[0].team', message: 'unknown team "sales" (teams: cx)', line: 10, col: 5 },
    ]);
  });

  type Case = [name: string, mutate: (doc: any) => void, path: string, message: string | RegExp];
  const cases: Case[] = [
    // shape
    ['unknown top-level key', (d) => (d.routes = []), 'routes', /^unknown key \(allowed: defaults, teams, rootCauses/],
    ['unknown key in a team', (d) => (d.teams[0].bogus = 1), 'teams[0].bogus', /^unknown key/],
    ['typo suggests the key', (d) => { d.teams[0].slackChanel = d.teams[0].slackChannel; delete d.teams[0].slackChannel; }, 'teams[0].slackChanel', /did you mean "slackChannel"/],
    ['unknown key in sla', (d) => (d.teams[1].sla.escalate = 'PT1H'), 'teams[1].sla.escalate', /^unknown key/],
    ['unknown key in quietHours', (d) => (d.teams[0].quietHours.days = 'weekdays'), 'teams[0].quietHours.days', /^unknown key/],
    ['unknown key in defaults.alertAt', (d) => (d.defaults.alertAt.ces2 = 3), 'defaults.alertAt.ces2', /^unknown key/],
    ['unknown metric in a touchpoint override', (d) => (d.touchpoints[0].alertAt.nsp = 5), 'touchpoints[0].alertAt.nsp', /did you mean "nps"/],
    ['unknown key in keywords', (d) => (d.keywords.warning = ['x']), 'keywords.warning', /^unknown key/],
    ['unknown key in an agent', (d) => (d.agents[0].mail = 'a@b.c'), 'agents[0].mail', /^unknown key/],
    ['team assign not a policy', (d) => (d.teams[0].assign = 'random'), 'teams[0].assign', 'must be one of round-robin, least-open, none (got "random")'],
    ['team assign not a string', (d) => (d.teams[0].assign = 3), 'teams[0].assign', 'must be one of round-robin, least-open, none (got number 3; quote it if it is meant as text)'],
    ['agent role not one of the four', (d) => (d.agents[0].role = 'manager'), 'agents[0].role', 'must be one of agent, lead, ops, admin (got "manager")'],
    ['agent locale not one we speak', (d) => (d.agents[0].locale = 'fr'), 'agents[0].locale', 'must be one of en, tr, zh, he, id (got "fr")'],
    ['team locale in another form', (d) => (d.teams[0].locale = 'tr-TR'), 'teams[0].locale', 'must be one of en, tr, zh, he, id (got "tr-TR")'],
    ['agent email not an address', (d) => (d.agents[0].email = 'Ayşe'), 'agents[0].email', 'must be an email address (got "Ayşe")'],
    ['key with spaces is quoted in the path', (d) => (d.agents[0]['slack user'] = 'U1'), 'agents[0]["slack user"]', /^unknown key/],
    ['missing defaults', (d) => delete d.defaults, 'defaults', 'is required'],
    ['missing teams', (d) => delete d.teams, 'teams', 'is required'],
    ['missing rootCauses', (d) => delete d.rootCauses, 'rootCauses', 'is required'],
    ['teams not a list', (d) => (d.teams = { cx: {} }), 'teams', 'must be a list (got a mapping)'],
    ['no teams', (d) => (d.teams = []), 'teams', 'must list at least one team'],
    ['team not a mapping', (d) => (d.teams[1] = 'delivery'), 'teams[1]', 'must be a mapping (got "delivery")'],
    // defaults
    ['missing defaults.team', (d) => delete d.defaults.team, 'defaults.team', 'is required'],
    ['missing defaults.alertAt', (d) => delete d.defaults.alertAt, 'defaults.alertAt', 'is required'],
    ['defaults.alertAt without ces', (d) => delete d.defaults.alertAt.ces, 'defaults.alertAt.ces', 'is required'],
    ['defaults.team unknown', (d) => (d.defaults.team = 'sales'), 'defaults.team', 'unknown team "sales" (teams: cx, delivery, support)'],
    // scales
    ['nps above 10', (d) => (d.defaults.alertAt.nps = 11), 'defaults.alertAt.nps', 'must be an integer 0-10 (got number 11)'],
    ['nps negative', (d) => (d.defaults.alertAt.nps = -1), 'defaults.alertAt.nps', /must be an integer 0-10/],
    ['nps not an integer', (d) => (d.defaults.alertAt.nps = 6.5), 'defaults.alertAt.nps', /must be an integer 0-10/],
    ['nps as a string', (d) => (d.defaults.alertAt.nps = '6'), 'defaults.alertAt.nps', 'must be an integer 0-10 (got "6")'],
    ['csat 0', (d) => (d.defaults.alertAt.csat = 0), 'defaults.alertAt.csat', /must be an integer 1-5/],
    ['csat 6', (d) => (d.touchpoints[0].alertAt = { csat: 6 }), 'touchpoints[0].alertAt.csat', /must be an integer 1-5/],
    ['ces 8', (d) => (d.touchpoints[0].alertAt = { ces: 8 }), 'touchpoints[0].alertAt.ces', /must be an integer 1-7/],
    ['ces 0', (d) => (d.defaults.alertAt.ces = 0), 'defaults.alertAt.ces', /must be an integer 1-7/],
    // teams
    ['team id missing', (d) => delete d.teams[1].id, 'teams[1].id', 'is required'],
    ['team id with a space', (d) => d.teams.push({ ...d.teams[1], id: 'last mile' }), 'teams[3].id', /must be an id of letters/],
    ['duplicate team id', (d) => d.teams.push({ ...d.teams[1], id: 'cx' }), 'teams[3].id', 'duplicate team id "cx" (first at teams[0].id)'],
    ['empty slackChannel', (d) => (d.teams[0].slackChannel = ''), 'teams[0].slackChannel', 'must be a non-empty string'],
    ['onCall not E.164', (d) => (d.teams[0].onCall = ['0555 111 22 33']), 'teams[0].onCall[0]', /^not an E\.164 number \("0555 111 22 33"\)/],
    ['onCall without +', (d) => (d.teams[0].onCall = ['905551112233']), 'teams[0].onCall[0]', /^not an E\.164 number/],
    ['onCall too short', (d) => (d.teams[0].onCall = ['+12345']), 'teams[0].onCall[0]', /^not an E\.164 number/],
    ['onCall starting +0', (d) => (d.teams[0].onCall = ['+0555111223']), 'teams[0].onCall[0]', /^not an E\.164 number/],
    ['duplicate onCall number', (d) => d.teams[0].onCall.push('+905551112233'), 'teams[0].onCall[1]', /duplicate on-call number/],
    ['onCall not a list', (d) => (d.teams[0].onCall = '+905551112233'), 'teams[0].onCall', /must be a list/],
    ['missing sla', (d) => delete d.teams[1].sla, 'teams[1].sla', 'is required'],
    ['missing sla.resolve', (d) => delete d.teams[1].sla.resolve, 'teams[1].sla.resolve', 'is required'],
    ['sla not a duration', (d) => (d.teams[1].sla.resolve = '48h'), 'teams[1].sla.resolve', /^not an ISO-8601 duration \("48h"\)/],
    ['sla as a number', (d) => (d.teams[1].sla.resolve = 48), 'teams[1].sla.resolve', /^not an ISO-8601 duration \(got number 48/],
    ['sla in months', (d) => (d.teams[1].sla.resolve = 'P1M'), 'teams[1].sla.resolve', /years and months have no fixed length/],
    ['sla of zero', (d) => (d.teams[1].sla.firstResponse = 'PT0S'), 'teams[1].sla.firstResponse', /must be longer than zero/],
    ['first response after resolve', (d) => (d.teams[1].sla.firstResponse = 'P2D'), 'teams[1].sla.firstResponse', 'must not be longer than resolve (P2D > P1D)'],
    ['quiet hours bad time', (d) => (d.teams[0].quietHours.start = '24:00'), 'teams[0].quietHours.start', /must be a time "HH:MM"/],
    ['quiet hours without leading zero', (d) => (d.teams[0].quietHours.end = '7:00'), 'teams[0].quietHours.end', /must be a time "HH:MM"/],
    ['quiet hours empty window', (d) => (d.teams[0].quietHours.end = '22:00'), 'teams[0].quietHours.end', /must differ from start/],
    ['quiet hours missing timezone', (d) => delete d.teams[0].quietHours.timezone, 'teams[0].quietHours.timezone', 'is required'],
    ['team time zone unknown', (d) => (d.teams[0].timezone = 'Istanbul'), 'teams[0].timezone', 'unknown time zone "Istanbul"; expected an IANA name like "Europe/Istanbul"'],
    ['team time zone not a string', (d) => (d.teams[0].timezone = 3), 'teams[0].timezone', /^must be a non-empty string/],
    ['quiet hours unknown time zone', (d) => (d.teams[0].quietHours.timezone = 'Mars/Base'), 'teams[0].quietHours.timezone', /^unknown time zone "Mars\/Base"/],
    // touchpoints
    ['touchpoint with unknown team', (d) => (d.touchpoints[0].team = 'sales'), 'touchpoints[0].team', /^unknown team "sales"/],
    ['touchpoint without team', (d) => delete d.touchpoints[1].team, 'touchpoints[1].team', 'is required'],
    ['duplicate touchpoint id', (d) => (d.touchpoints[2].id = 'checkout'), 'touchpoints[2].id', 'duplicate touchpoint id "checkout" (first at touchpoints[0].id)'],
    ['touchpoint id with surrounding spaces', (d) => (d.touchpoints[1].id = ' dine-in'), 'touchpoints[1].id', /must not start or end with spaces/],
    ['touchpoints not a list', (d) => (d.touchpoints = 'checkout'), 'touchpoints', /must be a list/],
    // keywords
    ['empty keyword', (d) => (d.keywords.critical[1] = ''), 'keywords.critical[1]', 'must be a non-empty string'],
    ['blank keyword', (d) => (d.keywords.alert[0] = '  '), 'keywords.alert[0]', 'must be a non-empty string'],
    ['numeric keyword', (d) => (d.keywords.alert[0] = 42), 'keywords.alert[0]', /^must be a non-empty string \(got number 42/],
    ['keyword list not a list', (d) => (d.keywords.alert = 'refund'), 'keywords.alert', /must be a list/],
    ['duplicate keyword ignoring case', (d) => d.keywords.critical.push('Lawyer'), 'keywords.critical[5]', 'duplicate keyword "Lawyer" (first at keywords.critical[0])'],
    ['duplicate Turkish keyword ignoring case', (d) => d.keywords.alert.push('İADE'), 'keywords.alert[5]', 'duplicate keyword "İADE" (first at keywords.alert[1])'],
    ['agent phone that is an unquoted number', (d) => (d.agents[2].phone = 555), 'agents[2].phone', 'not an E.164 number (number 555); expected e.g. "+905551112233"'],
    // agents
    ['agent with unknown team', (d) => (d.agents[1].team = 'kitchen'), 'agents[1].team', /^unknown team "kitchen"/],
    ['agent without name', (d) => delete d.agents[0].name, 'agents[0].name', 'is required'],
    ['agent id with a colon', (d) => (d.agents[0].id = 'ayse:1'), 'agents[0].id', /must be an id of letters/],
    ['duplicate agent id', (d) => (d.agents[2].id = 'ayse'), 'agents[2].id', 'duplicate agent id "ayse" (first at agents[0].id)'],
    ['duplicate slackUserId', (d) => (d.agents[2].slackUserId = 'U0AYSE'), 'agents[2].slackUserId', 'duplicate slackUserId "U0AYSE" (first at agents[0].slackUserId)'],
    ['agent phone not E.164', (d) => (d.agents[2].phone = '050-123-4567'), 'agents[2].phone', /^not an E\.164 number/],
    // rootCauses
    ['no root causes', (d) => (d.rootCauses = []), 'rootCauses', 'must list at least one root cause'],
    ['root cause not a slug', (d) => (d.rootCauses[1] = 'Wait Time'), 'rootCauses[1]', /^must be a slug/],
    ['duplicate root cause', (d) => d.rootCauses.push('billing'), 'rootCauses[6]', 'duplicate root cause "billing" (first at rootCauses[3])'],
  ];

  it.each(cases)('%s', (_name, mutate, path, message) => {
    const doc = base();
    mutate(doc);
    const errors = errorsOf(doc);
    // One mistake, one problem: no cascades.
    expect(errors).toEqual([{ path, message: typeof message === 'string' ? message : expect.stringMatching(message), line: expect.any(Number), col: expect.any(Number) }]);
  });

  it('does not cascade: a broken team still counts as a team for references', () => {
    const doc = base();
    doc.teams[1].sla = 'fast';
    expect(errorsOf(doc).map((e) => e.path)).toEqual(['teams[1].sla']);
  });

  it('explains an unquoted phone number, which YAML reads as an integer', () => {
    const text = stringify(base()).replace('"+972501234568"', '+972501234568').replace("'+972501234568'", '+972501234568');
    expect(errorsOf(text)).toEqual([
      expect.objectContaining({ path: 'agents[2].phone', message: 'not an E.164 number (YAML read the number 972501234568; quote it: "+972501234568")' }),
    ]);
  });

  it.each([
    ['a duplicate key', 'defaults: {}\ndefaults: {}\n', /YAML syntax error: Map keys must be unique/, 2, 1],
    ['an unclosed flow sequence', 'rootCauses: [other\n', /YAML syntax error/, 2, 1],
    ['a tab indent', 'teams:\n\t- id: cx\n', /YAML syntax error/, 2, 1],
    ['two documents', 'rootCauses: [a]\n---\nrootCauses: [b]\n', /YAML syntax error: .*multiple documents/i, 2, 1],
  ])('reports YAML syntax errors with line and column: %s', (_name, text, message, line, col) => {
    const [first] = errorsOf(text);
    expect(first).toMatchObject({ path: '', line, col });
    expect(first.message).toMatch(message);
  });

  it('rejects a file that is not a mapping', () => {
    expect(errorsOf('- cx\n- delivery\n')).toEqual([{ path: '', message: 'must be a mapping (got a list)', line: 1, col: 1 }]);
  });

  it.each([
    ['an empty file', ''],
    ['a comment-only file', '# nothing yet\n'],
  ])('rejects %s', (_name, text) => {
    expect(errorsOf(text)).toEqual([{ path: '', message: expect.stringMatching(/the routing file is empty/) }]);
  });

  it('accepts a UTF-8 BOM and CRLF line endings', () => {
    expect(parseRoutingConfig('\uFEFF' + SPEC_EXAMPLE.replace(/\n/g, '\r\n')).ok).toBe(true);
  });

  it('puts a ready-to-print message on failure, naming the source', () => {
    const result = parseRoutingConfig('teams: []\n', 'cfg/x.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toBe(formatRoutingErrors(result.errors, 'cfg/x.yaml'));
    expect(result.message.split('\n')).toEqual([
      'Invalid routing file cfg/x.yaml (3 problems):',
      'cfg/x.yaml:1:1: defaults: is required',
      'cfg/x.yaml:1:1: rootCauses: is required',
      'cfg/x.yaml:1:1: teams: must list at least one team',
    ]);
  });

  it('parses the project default routing file config/closeloop.yaml', () => {
    const text = readFileSync(join(__dirname, '../../../../config/closeloop.yaml'), 'utf8');
    const config = configOf(text);
    expect(config.teams.map((t) => t.id)).toEqual(['cx', 'delivery', 'support']);
    expect(config.teams[0].quietHours?.timezone).toBe('Europe/Istanbul');
    expect(config.touchpoints.map((t) => t.id)).toEqual(expect.arrayContaining(['dine-in', 'delivery', 'checkout', 'support-call']));
    expect(config.keywords.critical).toEqual(expect.arrayContaining(['lawyer', 'avukat', '律師', 'עורך דין', 'pengacara', 'dava', '投诉']));
    expect(config.keywords.alert).toEqual(expect.arrayContaining(['refund', 'iade', '退款', 'החזר', 'kasar', 'rude']));
    expect(config.agents.every((a) => a.slackUserId)).toBe(true);
    expect(config.agents.map((a) => `${a.id}:${a.role}`)).toEqual(['ayse:agent', 'mehmet:lead', 'budi:lead', 'noa:agent', 'wei:lead', 'emre:ops', 'dewi:admin']);
    expect(config.rootCauses).toEqual(['staff-behaviour', 'wait-time', 'product-quality', 'billing', 'delivery', 'other']);
  });
});

describe('formatRoutingErrors', () => {
  it('prints one line per problem, each prefixed with the file and, when known, line:col', () => {
    const text = formatRoutingErrors(
      [
        { path: '', message: 'YAML syntax error: Map keys must be unique', line: 3, col: 1 },
        { path: 'teams[1].sla.resolve', message: 'not an ISO-8601 duration ("48h")', line: 9, col: 5 },
        { path: 'rootCauses', message: 'is required' },
      ],
      'config/closeloop.yaml',
    );
    expect(text).toBe(
      [
        'Invalid routing file config/closeloop.yaml (3 problems):',
        'config/closeloop.yaml:3:1: YAML syntax error: Map keys must be unique',
        'config/closeloop.yaml:9:5: teams[1].sla.resolve: not an ISO-8601 duration ("48h")',
        'config/closeloop.yaml: rootCauses: is required',
      ].join('\n'),
    );
  });
});
