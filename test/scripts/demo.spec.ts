/**
 * `npm run demo`'s survey-tool deliveries (scripts/lib/demo-sources.cjs) against the demo sources `npm start` runs with
 * (config/closeloop.yaml + config/demo-sources.yaml) and the secrets it generates: each is authentic for its
 * connector, and it (with its API's answers, for the fetching kinds) becomes the feedback the demo says it opens a
 * ticket for, scored as a detractor at its touchpoint.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { METRIC_SCALES, parseRoutingConfig, type Source } from '@closeloop/contracts';
import { CONNECTORS } from '../../services/ingest/src/sources';

const { DEMO_DELIVERIES } = require('../../scripts/lib/demo-sources.cjs') as {
  DEMO_DELIVERIES: Record<string, (source: Source, secrets: Record<string, string>, run: string) => {
    customer: { id: string; name: string }; score: number; comment: string;
    delivery: { body: string; headers: Record<string, string> }; answers?: [string, string, unknown];
  }>;
};
const { resolveSourceSecrets } = require('../../scripts/lib/dev-credentials.cjs');
const { withDemoSources } = require('../../scripts/lib/demo-routing.cjs');

const read = (file: string) => readFileSync(join(__dirname, '../../config', file), 'utf8');
const parsed = parseRoutingConfig(withDemoSources({ routing: read('closeloop.yaml'), demoSources: read('demo-sources.yaml') }).text);
if (!parsed.ok) throw new Error(parsed.message);
const routing = parsed.config;
const { values: secrets } = resolveSourceSecrets({ env: {}, saved: {}, sources: routing.sources });
/** Secrets generated the same way, another time: none of them verifies a delivery signed with `secrets`. */
const { values: otherSecrets } = resolveSourceSecrets({ env: {}, saved: {}, sources: routing.sources });
const run = 'mx3demo1';

describe('npm run demo: one signed delivery per demo source', () => {
  it('has a delivery for every demo source', () => {
    expect(routing.sources.filter((s) => !DEMO_DELIVERIES[s.kind]).map((s) => s.id)).toEqual([]);
  });

  it.each(routing.sources.map((s) => [s.id, s] as const))('%s: authentic, and it becomes the detractor\'s feedback the demo prints', (_, source) => {
    const d = DEMO_DELIVERIES[source.kind](source, secrets, run);
    const connector = CONNECTORS[source.kind];
    const raw = Buffer.from(d.delivery.body, 'utf8');
    const headers = Object.fromEntries(Object.entries(d.delivery.headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(headers['content-type']).toBe(connector.contentType);
    expect(connector.verify({ raw, headers, secret: secrets[source.secretEnv], now: new Date() })).toBe(true);
    expect(connector.verify({ raw, headers, secret: otherSecrets[source.secretEnv], now: new Date() })).toBe(false);

    const ctx = { receivedAt: new Date(), ...(source.api && { token: secrets[source.api.tokenEnv] }) };
    const payload = connector.parse(raw);
    let result = connector.map(payload, source, ctx);
    if (result.outcome === 'fetch') {
      // the demo's stand-in answers exactly this request
      const [surveyId, responseId, answers] = d.answers ?? [];
      expect(result.request.url).toContain(`/${surveyId}/responses/${responseId}`);
      expect(new URL(result.request.url).origin).toBe(source.api?.url);
      result = connector.mapFetched?.(payload, answers, source, ctx) ?? result;
    }
    if (result.outcome !== 'feedback') throw new Error(`${source.id}: ${JSON.stringify(result)}`);
    expect(result.feedback).toMatchObject({ source: source.id, score: d.score, comment: d.comment, customer: expect.objectContaining({ id: d.customer.id }) });
    // a detractor where it lands: at or under its touchpoint's alertAt (else the demo would print no ticket)
    const tp = routing.touchpoints.find((t) => t.id === result.feedback.touchpoint);
    const alertAt = { ...routing.defaults.alertAt, ...tp?.alertAt }[result.feedback.metric];
    expect({ source: source.id, score: d.score, alertAt, inScale: d.score >= METRIC_SCALES[result.feedback.metric].min })
      .toEqual({ source: source.id, score: d.score, alertAt: expect.any(Number), inScale: true });
    expect(d.score).toBeLessThanOrEqual(alertAt as number);
  });
});
