// What an event's validation costs per message (issue 14): the compiled rules (libs/contracts compiled-validation.ts,
// what decodeEvent uses) against class-validator alone (validateEventByClassValidator), on the bench's own
// feedback.received and feedback.scored events, in this process, before anything else runs. Both paths parse the
// same JSON; each is timed over several rounds (after one to warm up) and the best round is kept (the least disturbed by other
// processes).
import { createRequire } from 'node:module';
import path from 'node:path';
import { feedback } from './feedback.mjs';

export function measureValidation(repoRoot, run, { events = 2_000, rounds = 5 } = {}) {
  const require = createRequire(import.meta.url);
  const c = require(path.join(repoRoot, 'libs/contracts/dist/index.js'));
  const at = new Date().toISOString();
  const received = [];
  const scored = [];
  for (let i = 0; i < events; i++) {
    const body = feedback(run, 'validation', i);
    const feedbackId = c.feedbackIdFor(body.source, body.externalId);
    const data = { ...body, feedbackId, receivedAt: at };
    received.push(JSON.stringify(c.makeEnvelope('feedback.received', data, 'ingest', { eventId: feedbackId })));
    scored.push(JSON.stringify(c.makeEnvelope('feedback.scored', {
      feedbackId, feedback: data, classification: 'detractor', negative: true, actionRequired: true, severity: 'normal', team: 'cx',
      reasons: [{ rule: 'score-at-or-below-threshold', detail: 'nps 3 <= 6' }], matchedKeywords: [], scoredAt: at,
    }, 'scoring')));
  }
  // one pass: µs per event; the series are interleaved round by round (class-validator's garbage is collected during
  // whichever pass comes next: running one series after the other would bill it to the compiled one)
  const pass = (topic, list, validate) => {
    const t0 = process.hrtime.bigint();
    for (const raw of list) if (!validate(topic, JSON.parse(raw)).ok) throw new Error(`bench event refused: ${raw.slice(0, 200)}`);
    return Number(process.hrtime.bigint() - t0) / 1e3 / list.length;
  };
  const series = [
    ['received', 'compiledUs', c.Topic.FeedbackReceived, received, c.validateEvent],
    ['scored', 'compiledUs', c.Topic.FeedbackScored, scored, c.validateEvent],
    ['received', 'classValidatorUs', c.Topic.FeedbackReceived, received, c.validateEventByClassValidator],
    ['scored', 'classValidatorUs', c.Topic.FeedbackScored, scored, c.validateEventByClassValidator],
  ];
  const out = { received: {}, scored: {} };
  for (let r = 0; r <= rounds; r++) {
    for (const [name, key, topic, list, validate] of series) {
      const us = pass(topic, list, validate);
      if (r > 0) out[name][key] = Math.min(out[name][key] ?? Infinity, Math.round(us * 10) / 10); // round 0 warms up
    }
  }
  for (const v of Object.values(out)) v.speedup = Math.round((v.classValidatorUs / v.compiledUs) * 10) / 10;
  return { events, rounds, ...out };
}
