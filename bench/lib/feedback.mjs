// Feedback the bench sends, and the routing file it runs the stack with.
//
// The mix is a typical NPS survey: 20% detractors (score 3-6: action required, a ticket and a Slack alert),
// 30% passives (7-8), 50% promoters (9-10). No comment contains a keyword of the bench routing file and no score is
// ≤ 2, so nothing is `critical` (no SMS path) unless a probe asks for it. Every item has its own customer, so every
// detractor opens its own ticket (the heaviest path in tickets and notification).

export const PROBE_TEAMS = 40;
export const LOAD_TEAMS = 200;
const pad = (n, w) => String(n).padStart(w, '0');
export const probeTouchpoint = (i) => `probe-${pad(i % PROBE_TEAMS, 2)}`;
// Not i % LOAD_TEAMS: kindOf() repeats every 10 items, so the detractors (i % 10 < 2) would all land on the 40 teams
// whose number ends in 0 or 1, 50 alerts each; one extra team every 10 items spreads every kind over all 200 (10 each).
export const loadTouchpoint = (i) => `load-${pad((i + Math.floor(i / 10)) % LOAD_TEAMS, 3)}`;
export const probeChannel = (i) => `CPROBE${pad(i % PROBE_TEAMS, 2)}`;

const COMMENTS = {
  detractor: [
    'Garsonlar çok kaba, yemek 40 dakika sürdü ve kimse özür dilemedi.',
    'The courier left the bag at the wrong door and the soup was cold when I found it.',
    'Checkout kept failing on the payment step, I had to try three different cards before it went through.',
    '外卖送到时已经凉了，而且少了一份饮料，客服电话一直打不通。',
    'חיכיתי שעה על הקו ואף אחד לא עזר לי, זה פשוט לא מקובל.',
    'Pesanan saya datang terlambat satu jam dan makanannya sudah dingin.',
  ],
  passive: [
    'OK overall, but the coupon field is hard to find and delivery took a bit long.',
    'Makanannya enak, pengirimannya agak lama tapi masih bisa diterima.',
    'Fine, nothing special. The app could remember my address.',
    'Yemekler güzeldi ama servis biraz yavaştı.',
  ],
  promoter: [
    'Harika bir akşamdı, garsonumuz Elif çok ilgiliydi, kesinlikle tekrar geleceğiz!',
    'Fast checkout and the parcel arrived a day early, thanks a lot!',
    '客服很耐心，问题很快就解决了，非常满意。',
    'השירות היה מצוין והאוכל הגיע חם.',
    'Great food, friendly staff, quick delivery. Keep it up!',
  ],
};
const NAMES = ['Deniz', 'Olivia', 'Ahmet', '王伟', 'Noa', 'Putri', 'Liam', 'Budi', 'Emma', '李娜', 'Yossi', 'Zeynep'];
const LOCALES = ['tr', 'en', 'tr', 'zh', 'he', 'id', 'en', 'id', 'en', 'zh', 'he', 'tr'];
const CHANNELS = ['web', 'app', 'tablet', 'phone'];

/** Deterministic class for the i-th item of a stream: 2 in 10 detractors, 3 passives, 5 promoters. */
export function kindOf(i) {
  const r = i % 10;
  return r < 2 ? 'detractor' : r < 5 ? 'passive' : 'promoter';
}

function scoreFor(kind, i) {
  if (kind === 'detractor') return 3 + (i % 4); // 3..6
  if (kind === 'passive') return 7 + (i % 2);
  return 9 + (i % 2);
}

/**
 * One feedback body (SPEC §4). `run` makes ids unique per bench run; `stream` separates the phases; `i` is the
 * item's number in its stream. The customer id is unique per item.
 */
export function feedback(run, stream, i, { kind = kindOf(i), touchpoint = loadTouchpoint(i), customerId } = {}) {
  const c = COMMENTS[kind];
  const who = i % NAMES.length;
  return {
    source: 'bench',
    externalId: `${run}-${stream}-${i}`,
    touchpoint,
    channel: CHANNELS[i % CHANNELS.length],
    metric: 'nps',
    score: scoreFor(kind, i),
    comment: c[i % c.length],
    customer: { id: customerId ?? `${run}-${stream}-c${i}`, name: NAMES[who], locale: LOCALES[who] },
    respondedAt: new Date().toISOString(),
    attributes: { store: `store-${i % 37}` },
  };
}

/** The survey-tool source the webhook phase posts to (SPEC §10): a Typeform form with an NPS and a comment question. */
export const TYPEFORM_SOURCE = { id: 'bench-typeform', secretEnv: 'BENCH_TYPEFORM_SECRET' };

/**
 * The i-th Typeform `form_response` webhook of a stream, shaped as typeform.com/developers/webhooks/example-payload/
 * shows it (services/ingest/src/sources/fixtures/typeform.ts), carrying the same mix and comments as `feedback`;
 * its token (the externalId) and hidden customer_id are unique per item.
 */
export function typeformResponse(run, stream, i, { kind = kindOf(i) } = {}) {
  const c = COMMENTS[kind];
  const token = `${run}-${stream}-${i}`;
  return {
    event_id: `ev-${token}`,
    event_type: 'form_response',
    form_response: {
      form_id: 'lT4Z3j',
      token,
      landed_at: new Date(Date.now() - 60_000).toISOString(),
      submitted_at: new Date().toISOString(),
      hidden: { customer_id: `${run}-${stream}-c${i}`, touchpoint: loadTouchpoint(i) },
      definition: {
        id: 'lT4Z3j',
        title: 'How was it?',
        fields: [
          { id: 'SMEUb7VJz92Q', title: 'How likely are you to recommend us?', type: 'opinion_scale', ref: 'nps_q', properties: {} },
          { id: 'DlXFaesGBpoF', title: 'Why?', type: 'long_text', ref: 'why_q', properties: {} },
        ],
      },
      answers: [
        { type: 'number', number: scoreFor(kind, i), field: { id: 'SMEUb7VJz92Q', type: 'opinion_scale', ref: 'nps_q' } },
        { type: 'text', text: c[i % c.length], field: { id: 'DlXFaesGBpoF', type: 'long_text', ref: 'why_q' } },
      ],
    },
  };
}

/** The routing file: 40 probe teams (one Slack channel each) for latency probes, 200 load teams for the load. */
export function routingYaml() {
  const teams = [];
  const touchpoints = [];
  for (let i = 0; i < PROBE_TEAMS; i++) {
    teams.push(`  - { id: probe-${pad(i, 2)}, slackChannel: ${probeChannel(i)}, onCall: [], sla: { firstResponse: PT1H, resolve: PT48H } }`);
    touchpoints.push(`  - { id: ${probeTouchpoint(i)}, team: probe-${pad(i, 2)} }`);
  }
  for (let i = 0; i < LOAD_TEAMS; i++) {
    teams.push(`  - { id: load-${pad(i, 3)}, slackChannel: CLOAD${pad(i, 3)}, onCall: [], sla: { firstResponse: PT1H, resolve: PT48H } }`);
    touchpoints.push(`  - { id: load-${pad(i, 3)}, team: load-${pad(i, 3)} }`);
  }
  return `# Generated by bench/lib/feedback.mjs for one bench run.
defaults:
  team: load-000
  alertAt: { nps: 6, csat: 2, ces: 3 }
teams:
${teams.join('\n')}
touchpoints:
${touchpoints.join('\n')}
keywords:
  critical: ["lawyer", "avukat", "律師", "עורך דין", "pengacara"]
  alert: ["refund", "iade", "退款", "החזר", "kasar"]
agents:
  - { id: bench, name: "Bench Agent", team: probe-00, slackUserId: U0BENCH, role: admin }
rootCauses: [staff-behaviour, wait-time, product-quality, billing, delivery, other]
sources:
  - { id: ${TYPEFORM_SOURCE.id}, kind: typeform, secretEnv: ${TYPEFORM_SOURCE.secretEnv}, touchpoint: load-000, fields: { score: nps_q, comment: why_q, touchpoint: form_response.hidden.touchpoint } }
`;
}
