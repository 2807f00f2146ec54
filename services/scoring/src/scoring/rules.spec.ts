import { Classification, Metric, RoutingConfig, parseRoutingConfig } from '@closeloop/contracts';
import { Decision, DecisionInput, classify, decide, isNegative, repeatNegativeWindow } from './rules';

const ROUTING_YAML = `
defaults:
  team: cx
  alertAt: { nps: 6, csat: 2, ces: 3 }
teams:
  - { id: cx, onCall: [], sla: { firstResponse: PT1H, resolve: PT48H } }
  - { id: support, onCall: [], sla: { firstResponse: PT2H, resolve: P3D } }
  - { id: delivery, onCall: [], sla: { firstResponse: PT30M, resolve: PT24H } }
touchpoints:
  - { id: checkout, team: support, alertAt: { nps: 5 } }
  - { id: support-call, team: support, alertAt: { csat: 3, ces: 4 } }
  - { id: delivery, team: delivery, alertAt: { nps: 0 } }
keywords:
  critical: [lawyer, avukat, "עורך דין", 律師, pengacara, "sue you"]
  alert: [refund, iade, 退款, החזר, kasar, Lawyer]
rootCauses: [other]
`;

function routing(): RoutingConfig {
  const parsed = parseRoutingConfig(ROUTING_YAML);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.config;
}
const ROUTING = routing();

describe('classify', () => {
  const table: [Metric, number, Classification][] = [
    ...[0, 1, 2, 3, 4, 5, 6].map((s): [Metric, number, Classification] => ['nps', s, 'detractor']),
    ['nps', 7, 'passive'], ['nps', 8, 'passive'], ['nps', 9, 'promoter'], ['nps', 10, 'promoter'],
    ['csat', 1, 'negative'], ['csat', 2, 'negative'], ['csat', 3, 'neutral'], ['csat', 4, 'positive'], ['csat', 5, 'positive'],
    ['ces', 1, 'negative'], ['ces', 2, 'negative'], ['ces', 3, 'negative'], ['ces', 4, 'neutral'],
    ['ces', 5, 'positive'], ['ces', 6, 'positive'], ['ces', 7, 'positive'],
  ];
  it.each(table)('%s %i → %s', (metric, score, expected) => {
    expect(classify(metric, score)).toBe(expected);
  });

  it.each([['nps', -1], ['nps', 11], ['nps', 3.5], ['csat', 0], ['csat', 6], ['ces', 0], ['ces', 8]] as [Metric, number][])(
    '%s %d is off the scale: a RangeError, never a guess',
    (metric, score) => {
      expect(() => classify(metric, score)).toThrow(RangeError);
    },
  );

  it.each([
    ['detractor', true], ['negative', true], ['passive', false], ['promoter', false], ['neutral', false], ['positive', false],
  ] as [Classification, boolean][])('%s is negative: %s', (c, negative) => {
    expect(isNegative(c)).toBe(negative);
  });
});

describe('repeatNegativeWindow', () => {
  it('spans 30 days either side of respondedAt, in absolute time', () => {
    expect(repeatNegativeWindow('2026-11-23T10:00:00+03:00')).toEqual({
      from: new Date('2026-10-24T07:00:00Z'),
      to: new Date('2026-12-23T07:00:00Z'),
    });
  });
  it('refuses a date it cannot read', () => {
    expect(() => repeatNegativeWindow('yesterday')).toThrow(RangeError);
  });
});

type Case = [
  what: string,
  feedback: Partial<DecisionInput['feedback']>,
  recentNegative: boolean,
  expected: Partial<Decision> & { rules: string[] },
];

describe('decide', () => {
  const base: DecisionInput['feedback'] = { touchpoint: 'web', metric: 'nps', score: 10 };
  const cases: Case[] = [
    // thresholds: defaults (unlisted touchpoint → default team) and per-touchpoint overrides, at their boundaries
    ['default nps threshold, at it', { score: 6 }, false,
      { classification: 'detractor', negative: true, actionRequired: true, severity: 'normal', team: 'cx', rules: ['score-at-or-below-threshold'] }],
    ['default nps threshold, above it', { score: 7 }, false,
      { classification: 'passive', negative: false, actionRequired: false, severity: 'normal', team: 'cx', rules: [] }],
    ['checkout overrides nps to 5: 5 alerts', { touchpoint: 'checkout', score: 5 }, false,
      { actionRequired: true, team: 'support', rules: ['score-at-or-below-threshold'] }],
    ['checkout overrides nps to 5: a detractor at 6 does not', { touchpoint: 'checkout', score: 6 }, false,
      { classification: 'detractor', negative: true, actionRequired: false, team: 'support', rules: [] }],
    ['checkout keeps the default csat threshold', { touchpoint: 'checkout', metric: 'csat', score: 2 }, false,
      { actionRequired: true, rules: ['score-at-or-below-threshold'] }],
    ['support-call overrides csat to 3: a neutral 3 alerts', { touchpoint: 'support-call', metric: 'csat', score: 3 }, false,
      { classification: 'neutral', negative: false, actionRequired: true, rules: ['score-at-or-below-threshold'] }],
    ['support-call csat 4 does not', { touchpoint: 'support-call', metric: 'csat', score: 4 }, false,
      { classification: 'positive', actionRequired: false, rules: [] }],
    ['support-call overrides ces to 4', { touchpoint: 'support-call', metric: 'ces', score: 4 }, false,
      { classification: 'neutral', actionRequired: true, rules: ['score-at-or-below-threshold'] }],
    ['support-call ces 5 does not', { touchpoint: 'support-call', metric: 'ces', score: 5 }, false, { actionRequired: false, rules: [] }],
    ['support-call keeps the default nps threshold', { touchpoint: 'support-call', score: 6 }, false, { actionRequired: true, rules: ['score-at-or-below-threshold'] }],
    ['default csat threshold, at it', { metric: 'csat', score: 2 }, false, { classification: 'negative', actionRequired: true, rules: ['score-at-or-below-threshold'] }],
    ['default csat threshold, above it', { metric: 'csat', score: 3 }, false, { classification: 'neutral', actionRequired: false, rules: [] }],
    ['default ces threshold, at it', { metric: 'ces', score: 3 }, false, { classification: 'negative', actionRequired: true, rules: ['score-at-or-below-threshold'] }],
    ['default ces threshold, above it', { metric: 'ces', score: 4 }, false, { classification: 'neutral', actionRequired: false, rules: [] }],

    // severity
    ['nps 3 is normal', { score: 3 }, false, { severity: 'normal', rules: ['score-at-or-below-threshold'] }],
    ['nps 2 is critical', { score: 2 }, false, { severity: 'critical', rules: ['score-at-or-below-threshold', 'nps-very-low'] }],
    ['nps 0 is critical', { score: 0 }, false, { severity: 'critical', rules: ['score-at-or-below-threshold', 'nps-very-low'] }],
    ['csat 1 is not "nps very low"', { metric: 'csat', score: 1 }, false, { severity: 'normal', rules: ['score-at-or-below-threshold'] }],
    ['severity does not need action: delivery alerts only at nps 0, nps 1 is still critical', { touchpoint: 'delivery', score: 1 }, false,
      { actionRequired: false, severity: 'critical', team: 'delivery', rules: ['nps-very-low'] }],
    ['a second negative within 30 days is critical', { metric: 'csat', score: 2 }, true,
      { severity: 'critical', rules: ['score-at-or-below-threshold', 'repeat-negative'] }],
    ['a negative below the alert line can still be a repeat', { touchpoint: 'checkout', score: 6 }, true,
      { actionRequired: false, severity: 'critical', rules: ['repeat-negative'] }],
    ['a promoter after a negative is no repeat', { score: 9 }, true, { severity: 'normal', actionRequired: false, rules: [] }],
    ['a neutral after a negative is no repeat', { metric: 'ces', score: 4 }, true, { severity: 'normal', rules: [] }],
    ['VIP is high', { score: 5, attributes: { vip: true } }, false, { severity: 'high', rules: ['score-at-or-below-threshold', 'vip'] }],
    ['a happy VIP is high but needs no action', { attributes: { vip: true } }, false, { severity: 'high', actionRequired: false, rules: ['vip'] }],
    ['vip must be the boolean true', { score: 5, attributes: { vip: 'true' } }, false, { severity: 'normal', rules: ['score-at-or-below-threshold'] }],
    ['VIP with nps 1: critical wins, both reasons kept', { score: 1, attributes: { vip: true } }, false,
      { severity: 'critical', rules: ['score-at-or-below-threshold', 'nps-very-low', 'vip'] }],

    // keywords make a promoter actionable
    ['critical keyword, English', { comment: 'I will call my lawyer' }, false,
      { classification: 'promoter', actionRequired: true, severity: 'critical', rules: ['critical-keyword'], matchedKeywords: ['lawyer'] }],
    ['critical keyword, Turkish upper case with suffix', { comment: 'AVUKATIMLA görüşeceğim' }, false,
      { actionRequired: true, severity: 'critical', rules: ['critical-keyword'], matchedKeywords: ['avukat'] }],
    ['alert keyword, Turkish dotted İ', { comment: 'İADE istiyorum' }, false,
      { actionRequired: true, severity: 'normal', rules: ['alert-keyword'], matchedKeywords: ['iade'] }],
    ['alert keyword, Chinese', { comment: '我要退款' }, false, { actionRequired: true, severity: 'normal', rules: ['alert-keyword'], matchedKeywords: ['退款'] }],
    ['critical keyword, Hebrew with a prefix', { comment: 'אני אפנה לעורך דין' }, false,
      { actionRequired: true, severity: 'critical', rules: ['critical-keyword'], matchedKeywords: ['עורך דין'] }],
    ['alert keyword, Indonesian', { comment: 'pelayannya kasar sekali' }, false,
      { actionRequired: true, severity: 'normal', rules: ['alert-keyword'], matchedKeywords: ['kasar'] }],
    ['no keyword hides in "issue you"', { comment: 'we will issue you a voucher' }, false, { actionRequired: false, rules: [], matchedKeywords: [] }],
    ['a keyword in both lists counts as critical, once', { comment: 'LAWYER!' }, false,
      { severity: 'critical', rules: ['critical-keyword'], matchedKeywords: ['lawyer'] }],
    ['every rule at once', { touchpoint: 'checkout', score: 1, comment: 'refund or my lawyer will sue you', attributes: { vip: true } }, true,
      {
        classification: 'detractor', negative: true, actionRequired: true, severity: 'critical', team: 'support',
        rules: ['score-at-or-below-threshold', 'critical-keyword', 'alert-keyword', 'nps-very-low', 'repeat-negative', 'vip'],
        matchedKeywords: ['lawyer', 'sue you', 'refund'],
      }],
  ];

  it.each(cases)('%s', (_what, overrides, recentNegativeWithin30d, expected) => {
    const { rules, ...rest } = expected;
    const d = decide({ feedback: { ...base, ...overrides }, routing: ROUTING, recentNegativeWithin30d });
    expect(d.reasons.map((r) => r.rule)).toEqual(rules);
    expect(d).toMatchObject(rest);
    if (!('matchedKeywords' in expected)) expect(d.matchedKeywords).toEqual([]);
  });

  it('explains every rule in words', () => {
    const d = decide({
      feedback: { touchpoint: 'checkout', metric: 'nps', score: 1, comment: 'İADE yoksa avukat', attributes: { vip: true } },
      routing: ROUTING,
      recentNegativeWithin30d: true,
      previousNegative: { feedbackId: 'f-1', respondedAt: '2026-11-20T10:00:00.000Z' },
    });
    expect(d.reasons).toEqual([
      { rule: 'score-at-or-below-threshold', detail: 'nps 1 ≤ 5 (touchpoint checkout)' },
      { rule: 'critical-keyword', detail: 'comment mentions "avukat"' },
      { rule: 'alert-keyword', detail: 'comment mentions "iade"' },
      { rule: 'nps-very-low', detail: 'nps 1 ≤ 2' },
      { rule: 'repeat-negative', detail: 'second negative from this customer within 30 days (feedback f-1, responded 2026-11-20T10:00:00.000Z)' },
      { rule: 'vip', detail: 'customer is a VIP (attributes.vip = true)' },
    ]);
  });

  it('names the default threshold the same way', () => {
    const d = decide({ feedback: { touchpoint: 'web', metric: 'ces', score: 2 }, routing: ROUTING, recentNegativeWithin30d: false });
    expect(d.reasons).toEqual([{ rule: 'score-at-or-below-threshold', detail: 'ces 2 ≤ 3 (touchpoint web)' }]);
  });
});
