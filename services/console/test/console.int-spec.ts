import { Kafka, Partitioners } from 'kafkajs';
import { DlqHeader, Topic, TicketEvent, dlqTopicOf, makeEnvelope, validateEvent } from '@closeloop/contracts';
import { READER_MAX_WAIT_MS, readTopic, testKafka, uniqueName, waitFor, withAdmin } from '@closeloop/testing';
import { AGENT_TOKEN, OPS_TOKEN, startTestConsole } from './console-harness';

/** The console's own API against real Kafka and Postgres: auth, lag, dead letters and replay, the live feed. */
describe('console API', () => {
  let c: Awaited<ReturnType<typeof startTestConsole>>;
  let kafka: Kafka;
  const t = (name: string) => `${c.prefix}${name}`;

  beforeAll(async () => {
    c = await startTestConsole('console', { TICKETS_URL: 'http://127.0.0.1:9', SERVICE_URLS: 'tickets=http://127.0.0.1:9,notification=http://127.0.0.1:9,ingest=http://127.0.0.1:9,scoring=http://127.0.0.1:9' });
    kafka = testKafka();
  });
  afterAll(async () => {
    await c?.app.close();
  });

  it('refuses everything about tickets and ops without a valid token, and says who is signed in', async () => {
    for (const path of ['/api/me', '/api/tickets', '/api/ops/lag', '/api/ops/dlq', '/api/live', '/api/reports/summary', '/api/reports/timeseries']) {
      const none = await c.api(path, { token: null });
      expect({ path, status: none.status, type: none.type }).toEqual({ path, status: 401, type: expect.stringContaining('application/problem+json') });
      const bad = await c.api(path, { token: 'not-a-token-at-all' });
      expect({ path, status: bad.status }).toEqual({ path, status: 401 });
    }
    const me = await c.api('/api/me', { token: AGENT_TOKEN });
    expect(me.body).toEqual({ agent: { id: 'ayse', name: 'Ayşe Yılmaz', team: 'cx', role: 'agent' }, locale: 'en', permissions: ['session', 'tickets.read', 'tickets.act'] });
    // an agent's console has no ops pages: the API says so with the roles that may (SPEC §12)
    for (const path of ['/api/ops/lag', '/api/ops/dlq', '/api/ops/health', '/api/sources', '/api/reports/summary']) {
      const r = await c.api(path, { token: AGENT_TOKEN });
      expect({ path, status: r.status, roles: r.body.requiredRoles }).toEqual({ path, status: 403, roles: path.includes('reports') ? ['lead', 'admin'] : ['ops', 'admin'] });
    }
    // the ops health fans out to every service: signed-in agents only (the services' own /health stays open)
    expect((await c.api('/api/ops/health', { token: null })).status).toBe(401);
    const health = await c.api('/api/ops/health');
    expect(health.status).toBe(200);
    expect(health.body.services.map((s: { service: string; status: string }) => [s.service, s.status]).sort()).toEqual(
      [['ingest', 'unreachable'], ['notification', 'unreachable'], ['scoring', 'unreachable'], ['tickets', 'unreachable']],
    );
  });

  it('reports a tickets outage as 502, never as an empty inbox', async () => {
    const res = await c.api('/api/tickets?status=open', { token: AGENT_TOKEN });
    expect(res.status).toBe(502);
    expect(res.type).toContain('application/problem+json');
    expect(res.body.detail).toMatch(/tickets service unreachable/);
  });

  it('shows the same lag for a real consumer group as kafkajs admin offsets give for it', async () => {
    const topic = t(Topic.FeedbackReceived);
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const send = (n: number, from: number) =>
      producer.send({ topic, acks: -1, messages: Array.from({ length: n }, (_, i) => ({ key: `c-${from + i}`, value: `{"n":${from + i}}` })) });
    await send(10, 0);

    // a real group consumes everything there is, commits, and leaves
    const group = uniqueName('lagcheck');
    const consumer = kafka.consumer({ groupId: `${c.prefix}${group}`, maxWaitTimeInMs: READER_MAX_WAIT_MS });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let seen = 0;
    await consumer.run({ eachMessage: async () => void seen++ });
    await waitFor(() => seen >= 10, { what: '10 messages consumed' });
    await consumer.disconnect(); // commits what it resolved

    await send(7, 10); // 7 messages the group has not read
    await producer.disconnect();

    const { ends, committed } = await withAdmin(kafka, async (admin) => ({
      ends: await admin.fetchTopicOffsets(topic),
      committed: (await admin.fetchOffsets({ groupId: `${c.prefix}${group}`, topics: [topic] }))[0].partitions,
    }), { what: 'offsets and commits' });
    const expected = ends
      .map((p) => {
        const co = Number(committed.find((x) => x.partition === p.partition)?.offset ?? -1);
        return { partition: p.partition, committed: co >= 0 ? co : null, end: Number(p.high), lag: co >= 0 ? Number(p.high) - co : Number(p.high) - Number(p.low) };
      })
      .sort((a, b) => a.partition - b.partition);
    expect(expected.reduce((s, p) => s + p.lag, 0)).toBe(7);

    const res = await c.api(`/api/ops/lag?group=${group}`);
    expect(res.status).toBe(200);
    expect(res.body.partitions.map(({ partition, committed: co, end, lag }: any) => ({ partition, committed: co, end, lag }))).toEqual(expected);
    expect(res.body.totals).toEqual([{ group, topic: Topic.FeedbackReceived, lag: 7 }]);
    expect(res.body.groups).toEqual([{ group, lag: 7, topics: [{ topic: Topic.FeedbackReceived, lag: 7 }], history: expect.any(Array) }]);

    // and the unfiltered view lists the group among all groups of this stack
    const all = await c.api('/api/ops/lag');
    expect(all.body.totals).toContainEqual({ group, topic: Topic.FeedbackReceived, lag: 7 });
    // the poller samples each group's total lag (the line the ops page draws): a sample after the 7 shows 7
    const sampled = await waitFor(async () => {
      const g = (await c.api('/api/ops/lag')).body.groups.find((x: any) => x.group === group);
      return g?.history.length >= 2 && g.history.at(-1).lag === 7 ? g : undefined;
    }, { what: 'a lag sample of 7 for the group' });
    expect(sampled.history.every((h: { at: string; lag: number }) => !Number.isNaN(Date.parse(h.at)) && Number.isInteger(h.lag) && h.lag >= 0)).toBe(true);
    // the topic page counts the 17 messages and, after two samples, a rate
    let seenRow: unknown;
    const topics = await waitFor(async () => {
      const r = await c.api('/api/ops/topics');
      const row = r.body.topics?.find((x: any) => x.topic === Topic.FeedbackReceived);
      seenRow = { status: r.status, row };
      return row && row.endOffset === 17 && row.inPerSec !== null ? row : null;
    }, { what: 'topic stats with 17 messages and a rate', timeoutMs: 30_000 }).catch((err: Error) => {
      throw new Error(`${err.message}; last answer: ${JSON.stringify(seenRow)}`);
    });
    expect(topics.out.map((o: any) => o.group)).toContain(group);
  });

  it('lists dead letters with their reasons and replays one exactly once, however often it is clicked', async () => {
    const dlq = dlqTopicOf(Topic.FeedbackScored);
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const value = JSON.stringify({ eventId: 'not-a-uuid', type: 'feedback.scored', data: { feedback: { customer: { id: 'c-42', name: 'Deniz Yılmaz', phone: '+905551234567' } } } });
    const [meta] = await producer.send({
      topic: t(dlq),
      acks: -1,
      messages: [{
        key: 'c-42',
        value,
        headers: {
          'event-type': 'feedback.scored',
          [DlqHeader.Reason]: 'invalid event: eventId: must be a UUID',
          [DlqHeader.OriginalTopic]: Topic.FeedbackScored,
          [DlqHeader.OriginalPartition]: '3',
          [DlqHeader.OriginalOffset]: '41',
          [DlqHeader.Attempts]: '0',
          [DlqHeader.FailedAt]: new Date().toISOString(),
          [DlqHeader.ConsumerGroup]: 'tickets',
        },
      }],
    });
    await producer.disconnect();
    const offset = String(meta.baseOffset);

    const listed = await waitFor(async () => {
      const r = await c.api('/api/ops/dlq');
      return r.body.topics.find((x: any) => x.topic === dlq && x.latest.length && x.depth === 1);
    }, { what: 'dead letter listed' });
    expect(listed.latest[0]).toMatchObject({
      partition: 0, offset, key: 'c-42', reason: 'invalid event: eventId: must be a UUID', originalTopic: Topic.FeedbackScored,
      originalPartition: 3, originalOffset: '41', consumerGroup: 'tickets', eventType: 'feedback.scored', replay: null,
    });
    // the admin reads the payload as it is; ops see its personal fields masked (SPEC §12)
    expect(listed.latest[0]).toMatchObject({ preview: value, personalDataMasked: false });
    const forOps = (await c.api('/api/ops/dlq', { token: OPS_TOKEN })).body.topics.find((x: any) => x.topic === dlq).latest[0];
    expect(forOps.personalDataMasked).toBe(true);
    expect(JSON.parse(forOps.preview).data.feedback.customer).toEqual({ id: 'c-42', name: '‹hidden: 12 characters›', phone: '+90555***4567' });
    expect((await c.api('/api/ops/dlq', { token: AGENT_TOKEN })).status).toBe(403);

    // two clicks at the same moment, and a third later: one replay
    const body = JSON.stringify({ topic: dlq, partition: 0, offset });
    const [a, b] = await Promise.all([c.api('/api/ops/dlq/replay', { method: 'POST', body }), c.api('/api/ops/dlq/replay', { method: 'POST', body })]);
    const refused = await c.api('/api/ops/dlq/replay', { method: 'POST', body, token: AGENT_TOKEN });
    expect([refused.status, refused.body.requiredRoles]).toEqual([403, ['ops', 'admin']]);
    const again = await c.api('/api/ops/dlq/replay', { method: 'POST', body, token: OPS_TOKEN });
    expect([a.status, b.status, again.status]).toEqual([200, 200, 200]);
    expect([a.body.replayed, b.body.replayed].sort()).toEqual([false, true]);
    expect(again.body.replayed).toBe(false);
    expect(again.body.replay).toEqual((a.body.replayed ? a : b).body.replay);
    expect(again.body.replay).toMatchObject({ dlqTopic: dlq, dlqPartition: 0, dlqOffset: offset, originalTopic: Topic.FeedbackScored, replayedBy: 'dewi' });

    // both sends (if there were two) were acknowledged before the responses: one read sees them all
    const back = await readTopic(kafka, t(Topic.FeedbackScored), { minCount: 1 });
    const replayed = back.filter((m) => m.headers['x-replayed-from']);
    expect(back).toHaveLength(1);
    expect(replayed).toHaveLength(1);
    expect(replayed[0]).toMatchObject({ key: 'c-42', value, headers: { 'x-replayed-from': `${dlq}/0/${offset}`, 'event-type': 'feedback.scored' } });
    expect(Object.keys(replayed[0].headers).filter((h) => h.startsWith('x-dlq-'))).toEqual([]);

    const after = await c.api('/api/ops/dlq');
    expect(after.body.topics.find((x: any) => x.topic === dlq).latest[0].replay).toMatchObject({ replayedBy: 'dewi' });
  });

  it('refuses to replay a dead letter older than the replay window, saying why, and sends nothing', async () => {
    const dlq = dlqTopicOf(Topic.TicketCommands);
    // a Slack claim from 8 days ago: consumers may have forgotten its eventId, so a replay could apply it twice
    const occurredAt = new Date(Date.now() - 8 * 24 * 3_600_000).toISOString();
    const claim = makeEnvelope('ticket.claim', { ticketId: 't-old', agentId: 'ayse', via: 'slack' as const }, 'notification', { occurredAt });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const [meta] = await producer.send({
      topic: t(dlq),
      acks: -1,
      messages: [{ key: 't-old', value: JSON.stringify(claim), headers: { [DlqHeader.Reason]: 'database unavailable', [DlqHeader.OriginalTopic]: Topic.TicketCommands, [DlqHeader.ConsumerGroup]: 'tickets' } }],
    });
    await producer.disconnect();
    const offset = String(meta.baseOffset);

    const listed = await waitFor(async () => {
      const r = await c.api('/api/ops/dlq');
      return r.body.topics.find((x: any) => x.topic === dlq)?.latest.find((d: any) => d.offset === offset);
    }, { what: 'the old dead letter listed' });
    expect(listed.replayableUntil).toBe(new Date(Date.parse(occurredAt) + 7 * 24 * 3_600_000).toISOString());

    const res = await c.api('/api/ops/dlq/replay', { method: 'POST', body: JSON.stringify({ topic: dlq, partition: meta.partition, offset }) });
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/^too old to replay: dead letters can be replayed for 7 days after their event/);
    // refused before anything was produced: the commands topic is still empty, and no replay is recorded
    const offsets = await withAdmin(kafka, (admin) => admin.fetchTopicOffsets(t(Topic.TicketCommands)));
    expect(offsets.every((o) => o.high === '0')).toBe(true);
    const after = await c.api('/api/ops/dlq');
    expect(after.body.topics.find((x: any) => x.topic === dlq).latest.find((d: any) => d.offset === offset).replay).toBeNull();
  });

  it('rejects a replay of something that is not a dead letter, naming the field or the reason', async () => {
    const bad = await c.api('/api/ops/dlq/replay', { method: 'POST', body: JSON.stringify({ topic: 'cx.feedback.scored.v1.dlq', partition: -1, offset: 'x' }) });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['offset', 'partition']);
    const notDlq = await c.api('/api/ops/dlq/replay', { method: 'POST', body: JSON.stringify({ topic: Topic.FeedbackScored, partition: 0, offset: 0 }) });
    expect(notDlq.status).toBe(400);
    const missing = await c.api('/api/ops/dlq/replay', { method: 'POST', body: JSON.stringify({ topic: dlqTopicOf(Topic.TicketEvents), partition: 0, offset: 999 }) });
    expect(missing.status).toBe(404);
  });

  /** The live feed as a browser reads it: everything received so far, until close(). */
  async function openLive() {
    const ctrl = new AbortController();
    const res = await fetch(`${c.base}/api/live`, { headers: { authorization: `Bearer ${AGENT_TOKEN}` }, signal: ctrl.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    if (!res.body) throw new Error('no body');
    const reader = res.body.getReader();
    const live = { received: '', close: async () => { ctrl.abort(); await pump; } };
    const pump = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          live.received += Buffer.from(value).toString('utf8');
        }
      } catch {
        // aborted
      }
    })();
    await waitFor(() => live.received.includes('event: hello'), { what: 'hello' });
    return live;
  }

  it('pushes ticket events to signed-in browsers as they happen', async () => {
    const live = await openLive();

    const ticketId = '3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b';
    const now = new Date().toISOString();
    const event: TicketEvent = makeEnvelope('ticket.opened', {
      ticket: {
        id: ticketId, customerId: 'c-42', touchpoint: 'checkout', team: 'cx', status: 'open', severity: 'critical', metric: 'nps', score: 2,
        feedbackCount: 1, openedAt: now, firstResponseDue: now, resolveDue: now, version: 1,
      },
      actor: { kind: 'system' },
    }, 'tickets') as TicketEvent;
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: t(Topic.TicketEvents), acks: -1, messages: [{ key: ticketId, value: JSON.stringify(event) }] });
    await producer.disconnect();

    await waitFor(() => live.received.includes(ticketId), { what: 'ticket event on /api/live', timeoutMs: 30_000 });
    const line = live.received.split('\n\n').find((b) => b.includes(ticketId)) ?? '';
    expect(line).toContain('event: ticket');
    expect(JSON.parse(line.split('data: ')[1])).toMatchObject({ type: 'ticket.opened', ticketId, status: 'open', severity: 'critical', version: 1 });
    await live.close();
  });

  it('pushes a refused command for an unknown ticket (no snapshot, only its id) instead of failing on it', async () => {
    const live = await openLive();

    // as tickets publishes it for a command naming a ticket it does not know (validated by the producer first)
    const ticketId = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
    const event = makeEnvelope('ticket.command_rejected', {
      actor: { kind: 'agent' as const, id: 'ayse' }, reason: `there is no ticket ${ticketId}`, statusCode: 404, commandId: '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e', ticketId,
    }, 'tickets');
    expect(validateEvent(Topic.TicketEvents, event).ok).toBe(true);
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: t(Topic.TicketEvents), acks: -1, messages: [{ key: ticketId, value: JSON.stringify(event) }] });
    await producer.disconnect();

    await waitFor(() => live.received.includes(ticketId), { what: 'the refusal on /api/live', timeoutMs: 30_000 });
    const line = live.received.split('\n\n').find((b) => b.includes(ticketId)) ?? '';
    expect(JSON.parse(line.split('data: ')[1])).toMatchObject({ type: 'ticket.command_rejected', eventId: event.eventId, ticketId });
    await live.close();
  });
});
