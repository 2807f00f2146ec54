// What an event's validation costs per message (issue 14): the compiled rules (libs/contracts compiled-validation.ts,
// what decodeEvent uses) against class-validator alone (validateEventByClassValidator), on the bench's own
// feedback.received and feedback.scored events, in this process, before anything else runs. Both paths parse the
// same JSON; each is timed over several rounds and the best round is kept (the least disturbed by other processes).
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
  const time = (topic, list, validate) => {
    let best = Infinity;
    for (let r = 0; r < rounds; r++) {
      const t0 = process.hrtime.bigint();
      for (const raw of list) if (!validate(topic, JSON.parse(raw)).ok) throw new Error(`bench event refused: ${raw.slice(0, 200)}`);
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e3 / list.length);
    }
    return Math.round(best * 10) / 10;
  };
  const out = {};
  for (const [name, topic, list] of [['received', c.Topic.FeedbackReceived, received], ['scored', c.Topic.FeedbackScored, scored]]) {
    const compiled = time(topic, list, c.validateEvent);
    const classValidator = time(topic, list, c.validateEventByClassValidator);
    out[name] = { compiledUs: compiled, classValidatorUs: classValidator, speedup: Math.round((classValidator / compiled) * 10) / 10 };
  }
  return { events, rounds, ...out };
}
