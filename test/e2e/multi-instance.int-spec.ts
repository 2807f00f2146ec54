/**
 * Several instances: two processes each of scoring, tickets and notification (different ports, same consumer
 * groups) on the same topics. They share the partitions (each group has 2 members, each with partitions, and both
 * members did work), feedback submitted several times makes one ticket and one Slack alert, and the SLA scheduler
 * running in both tickets processes fires once: exactly one `ticket.sla_breached` per ticket and one SMS per on-call number.
 */
import { randomBytes } from 'node:crypto';
import { AssignerProtocol, Consumer } from 'kafkajs';
import { Client } from 'pg';
import { Topic, feedbackIdFor } from '@closeloop/contracts';
import { READER_MAX_WAIT_MS, consumerLag, testInfra, testKafka, waitFor, waitForQuiescence } from '@closeloop/testing';
import { createE2eDatabase } from './stack';
import { AcceptedFeedback, checkInvariants, describeFailures, postJson, waitForPipelineQuiescence } from '../chaos/harness';
import { ChaosSystem, startChaosSystem } from '../chaos/system';

jest.setTimeout(240_000);

const run = `mi${randomBytes(3).toString('hex')}`;
const prefix = `${testInfra().topicPrefix}${run}.`;
const CUSTOMERS = 30;
const kafka = testKafka();
let db: Awaited<ReturnType<typeof createE2eDatabase>>;
let sys: ChaosSystem;
let eventsReader: Consumer;
const ticketEvents: { type: string; ticketId: string; breach?: string }[] = [];

beforeAll(async () => {
  db = await createE2eDatabase();
  // read every ticket event from the start: the SLA breaches are counted on the topic itself
  sys = await startChaosSystem({
    brokers: testInfra().brokers.join(','), dbUrl: db.url, topicPrefix: prefix, teams: 3,
    counts: { ingest: 1, scoring: 2, tickets: 2, notification: 2 },
    sla: { firstResponse: 'PT2S', resolve: 'PT48H' },
    env: { SLA_CHECK_INTERVAL_MS: '200' },
  });
  eventsReader = kafka.consumer({ groupId: `${prefix}test-reader`, allowAutoTopicCreation: false, maxWaitTimeInMs: READER_MAX_WAIT_MS });
  await eventsReader.connect();
  await eventsReader.subscribe({ topic: `${prefix}${Topic.TicketEvents}`, fromBeginning: true });
  await eventsReader.run({
    eachMessage: async ({ message }) => {
      const e = JSON.parse(String(message.value));
      ticketEvents.push({ type: e.type, ticketId: e.data?.ticket?.id ?? e.data?.ticketId, breach: e.data?.breach });
    },
  });
}, 200_000);

afterAll(async () => {
  await eventsReader?.disconnect();
  await sys?.stop();
  await db?.drop();
});

async function groupMembers(groupId: string) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([`${prefix}${groupId}`]);
    return groups[0].members.map((m) => ({
      clientHost: m.clientHost,
      assignment: AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {},
    }));
  } finally {
    await admin.disconnect();
  }
}

async function slaChecksOf(url: string): Promise<number> {
  // with or without default labels (`closeloop_ticket_sla_checks_total{service="tickets"} 12`)
  const line = (await (await fetch(`${url}/metrics`)).text()).split('\n').find((l) => /^closeloop_ticket_sla_checks_total(\{[^}]*\})? /.test(l));
  return Number(line?.slice(line.lastIndexOf(' ') + 1) ?? 0);
}

async function consumedBy(url: string, topic: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text.split('\n')
    .filter((l) => l.startsWith('closeloop_messages_consumed_total{') && l.includes(`topic="${topic}"`) && l.includes('outcome="ok"'))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

describe('two instances of each consumer service', () => {
  const accepted = new Map<string, AcceptedFeedback>();

  it('share the partitions of their topics: 2 members per group, each with partitions', async () => {
    const expected: Record<string, string> = { scoring: Topic.FeedbackReceived, tickets: Topic.FeedbackScored, notification: Topic.TicketEvents };
    for (const [group, topic] of Object.entries(expected)) {
      const members = await waitFor(async () => {
        const m = await groupMembers(group);
        return m.length === 2 && m.every((x) => (x.assignment[`${prefix}${topic}`] ?? []).length > 0) ? m : undefined;
      }, { what: `group ${group} with 2 members that both hold partitions of ${topic}`, timeoutMs: 90_000, intervalMs: 500 });
      const partitions = (members ?? []).map((m) => m.assignment[`${prefix}${topic}`]);
      const all = partitions.flat().sort((a, b) => a - b);
      expect(all).toEqual([...new Set(all)]); // disjoint
      expect(all).toEqual([0, 1, 2, 3, 4, 5]); // together, every partition
    }
  });

  it('feedback submitted several times, at once and again, makes one ticket and one alert per (customer, touchpoint)', async () => {
    const bodies = Array.from({ length: CUSTOMERS }, (_, i) => ({
      source: 'mi', externalId: `${run}-${i}`, touchpoint: sys.routing.touchpoints[i % sys.routing.touchpoints.length], channel: 'web', metric: 'nps',
      score: 4, comment: 'Nobody answered the phone', customer: { id: `${run}-c${i}`, name: `Customer ${i}` }, respondedAt: new Date().toISOString(),
    }));
    const promoters = bodies.map((b, i) => ({ ...b, externalId: `${run}-promoter-${i}`, score: 10, comment: 'Great' }));
    const submit = async (b: (typeof bodies)[number]) => {
      const r = await postJson(`${sys.ingestUrls()[0]}/v1/feedback`, b, { Authorization: `Bearer ${sys.apiKey}` });
      expect(r.status).toBe(202);
      expect(r.json.feedbackId).toBe(feedbackIdFor(b.source, b.externalId));
      accepted.set(r.json.feedbackId, { body: b, actionRequired: b.score <= 6, feedbackId: r.json.feedbackId, acceptedAt: Date.now(), attempts: 1 });
    };
    await Promise.all(bodies.flatMap((b) => [submit(b), submit(b), submit(b)])); // three at once
    await Promise.all(promoters.map(submit));
    await Promise.all(bodies.map(submit)); // and once more later
    const quiet = await waitForPipelineQuiescence(sys.dbUrl, sys.slack, accepted, { timeoutMs: 90_000 });
    const inv = await checkInvariants(sys.dbUrl, sys.slack, accepted);
    if (!inv.ok) console.log(`${describeFailures(inv)}\n${sys.logs.tail(60, /WARN|ERROR|FATAL/)}`);
    expect(quiet.reached).toBe(true);
    expect(inv.accepted).toBe(CUSTOMERS * 2);
    expect(inv.lost).toEqual([]);
    expect(inv.tickets).toBe(CUSTOMERS);
    expect(inv.duplicateTickets).toEqual([]);
    expect(inv.alertsNotOne).toEqual([]);
    expect(inv.strayAlerts).toBe(0);
    expect(inv.alertRecordMismatch).toEqual([]);
    // both instances of each service did part of the work
    for (const [service, topic] of [['scoring', Topic.FeedbackReceived], ['tickets', Topic.FeedbackScored], ['notification', Topic.TicketEvents]] as const) {
      const counts = await Promise.all(sys.stack.of(service).map((i) => consumedBy(i.url, topic)));
      expect({ service, busy: counts.map((n) => n > 0) }).toEqual({ service, busy: [true, true] });
    }
  });

  it('the SLA scheduler in both tickets processes fires once: one ticket.sla_breached per ticket, one SMS per on-call number', async () => {
    const c = new Client({ connectionString: sys.dbUrl });
    await c.connect();
    let tickets: { id: string; team: string }[];
    try {
      tickets = (await c.query(`SELECT id::text, team FROM tickets.ticket`)).rows;
      await waitFor(async () => (await c.query(`SELECT count(*)::int AS n FROM tickets.ticket WHERE first_response_breached_at IS NULL`)).rows[0].n === 0,
        { what: 'every ticket past its 2 s first-response SLA stamped', timeoutMs: 60_000, intervalMs: 250 });
    } finally {
      await c.end();
    }
    expect(tickets).toHaveLength(CUSTOMERS);
    const onCallOf = (team: string) => sys.routing.onCall[Number(team.slice(1))];
    const smsFor = (id: string) => sys.twilio.requests.filter((r) => String(r.form.Body ?? '').includes(id));
    await waitFor(() => tickets.every((t) => ticketEvents.some((e) => e.ticketId === t.id && e.type === 'ticket.sla_breached')), { what: 'a breach event per ticket', timeoutMs: 60_000 });
    await waitFor(() => tickets.every((t) => smsFor(t.id).length > 0), { what: 'an SMS per ticket', timeoutMs: 60_000 });
    // both instances complete two more SLA checks after the breaches, then everything they wrote has gone out
    const urls = sys.stack.of('tickets').map((i) => i.url);
    const checksNow = await Promise.all(urls.map((u) => slaChecksOf(u)));
    await waitFor(async () => (await Promise.all(urls.map((u) => slaChecksOf(u)))).every((n, i) => n >= checksNow[i] + 2), { what: 'two more SLA checks on each instance' });
    await waitForQuiescence({
      pending: {
        'ticket events not read': () => consumerLag(kafka, `${prefix}test-reader`, [`${prefix}${Topic.TicketEvents}`]),
        'ticket events not handled by notification': () => consumerLag(kafka, `${prefix}notification`, [`${prefix}${Topic.TicketEvents}`]),
      },
      activity: { 'ticket events': () => ticketEvents.length, 'Twilio requests': () => sys.twilio.requests.length },
    }, { what: 'tickets and notification' });

    for (const t of tickets) {
      const breaches = ticketEvents.filter((e) => e.ticketId === t.id && e.type === 'ticket.sla_breached');
      expect({ ticket: t.id, breaches: breaches.map((b) => b.breach) }).toEqual({ ticket: t.id, breaches: ['firstResponse'] });
      const sms = smsFor(t.id);
      expect({ ticket: t.id, sms: sms.map((r) => r.form.To) }).toEqual({ ticket: t.id, sms: [onCallOf(t.team)] });
    }
  });
});
