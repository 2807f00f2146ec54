import { randomUUID } from 'node:crypto';
import { deterministicId, makeEnvelope, translator, type TrendEvent, type TrendEventData, type TrendEventType } from '@closeloop/contracts';
import type { SlackStubRequest } from '@closeloop/testing';
import { renderDigest } from '../src/digest/digest-text';
import { renderTrend } from '../src/trends/trend-message';
import { startHarness, until, type NotificationHarness } from './harness';

/** SPEC §12: a trend's one top-level message in the team channel, updated as the spike grows (ADR 0020). */
/** The cx team of the test routing file reads English, dates in its quiet hours' time zone. */
const CX = translator('en', { timeZone: 'Europe/Istanbul' });

describe('notification: trend alerts (real Kafka, Postgres, Slack SDK → stub)', () => {
  let h: NotificationHarness;

  beforeAll(async () => {
    h = await startHarness('trends', { env: { SLACK_CHANNEL_INTERVAL_MS: '0' } });
  });
  afterAll(() => h?.close());

  const trendEvent = (type: TrendEventType, data: TrendEventData, eventId = deterministicId('trend', data.trendId, String(data.version))): TrendEvent =>
    makeEnvelope(type, data, 'tickets', { eventId });
  const posts = (trendId: string): SlackStubRequest[] =>
    h.slack.calls('chat.postMessage').filter((r) => r.form.metadata?.event_payload?.ticket_id === trendId);
  const updates = (channel: string, ts: string): SlackStubRequest[] =>
    h.slack.calls('chat.update').filter((r) => r.form.channel === channel && r.form.ts === ts);

  it('opened → one chat.postMessage in the team channel; each update → chat.update of it with the count and the tickets; replays post nothing', async () => {
    const trendId = randomUUID();
    const tickets = Array.from({ length: 7 }, () => randomUUID());
    const base: TrendEventData = {
      trendId, status: 'open', team: 'cx', group: { touchpoint: 'checkout' }, window: 'PT1H', count: 5, peak: 5, baseline: 0,
      ticketIds: tickets.slice(0, 5), openedAt: '2026-12-01T10:00:00.000Z', version: 1,
    };
    const opened = trendEvent('trend.opened', base);
    await h.publishTrend(opened);
    const [post] = await until(() => (posts(trendId).length > 0 ? posts(trendId) : undefined), 'the trend posted');
    expect(post.form.channel).toBe('C0CX');
    const shown = renderTrend(base, { consoleUrl: 'http://console.test', i18n: CX });
    expect(post.form.text).toBe(shown.text);
    expect(post.form.blocks).toEqual(shown.blocks);
    expect(JSON.stringify(post.form.blocks)).toContain(`http://console.test/tickets/${tickets[0]}`);
    expect(JSON.stringify(post.form.blocks)).toContain(`http://console.test/tickets?ids=${tickets.slice(0, 5).join(',')}`);
    const alert: { channel: string; ts: string } = await until(
      async () => (await h.ds.query(`SELECT channel, ts FROM "${h.schema}".alert_message WHERE ticket_id = $1 AND ts IS NOT NULL`, [trendId]))[0],
      'the trend message ts stored',
    );
    expect(alert.channel).toBe('C0CX');

    // the spike grows twice; the opened event is replayed (same id) and re-sent with a new id
    const grown = { ...base, count: 6, peak: 6, ticketIds: tickets.slice(0, 6), version: 2 };
    const grownMore = { ...base, count: 7, peak: 7, ticketIds: tickets, version: 3 };
    await h.publishTrend(trendEvent('trend.updated', grown));
    await h.publishTrend(opened, trendEvent('trend.opened', base, randomUUID()), trendEvent('trend.updated', grownMore));
    await h.quiet();

    expect(posts(trendId)).toHaveLength(1);
    const ups = updates(alert.channel, alert.ts);
    expect(ups.length).toBeGreaterThanOrEqual(1);
    const last = ups[ups.length - 1].form;
    expect(last.blocks).toEqual(renderTrend(grownMore, { consoleUrl: 'http://console.test', i18n: CX }).blocks);
    expect(last.text).toContain('7 action-required');
    for (const id of tickets) expect(JSON.stringify(last.blocks)).toContain(`/tickets/${id}`);

    // it ends: the same message says so
    await h.publishTrend(trendEvent('trend.ended', { ...grownMore, status: 'ended', endedAt: '2026-12-01T12:00:00.000Z', version: 4 }));
    await until(() => updates(alert.channel, alert.ts).find((u) => String(u.form.text).startsWith('Trend ended')), 'the ended update');
    await h.quiet();
    expect(posts(trendId)).toHaveLength(1);
  });

  it('a team digest → one DM per lead (chat.postMessage to the Slack user id); redelivered, nothing more', async () => {
    const data = {
      team: 'cx', day: '2026-11-30', from: '2026-11-29T21:00:00.000Z', to: '2026-11-30T21:00:00.000Z',
      leads: [{ agentId: 'mehmet', slackUserId: 'U0LEAD1' }, { agentId: 'zeynep', slackUserId: 'U0LEAD2' }],
      opened: 4, resolved: 2, breached: 1, medianClaimMs: 12 * 60_000, medianResolveMs: 3 * 3_600_000, nps: 20, npsResponses: 10,
    };
    const digest = makeEnvelope('team.digest' as const, data, 'tickets', { eventId: deterministicId('digest', 'cx', '2026-11-30') });
    await h.publishDigest(digest);
    await h.publishDigest(digest);
    const dms = () => h.slack.calls('chat.postMessage').filter((r) => String(r.form.channel).startsWith('U0LEAD'));
    await until(() => (dms().length >= 2 ? dms() : undefined), 'two DMs');
    await h.quiet();
    expect(dms().map((r) => r.form.channel).sort()).toEqual(['U0LEAD1', 'U0LEAD2']);
    expect(dms()[0].form.text).toBe(renderDigest(data, 'http://console.test', CX));
    expect(dms()[0].form.text).toContain('Opened 4 · resolved 2 · SLA breached 1');
  });
});
