import { DlqHeader, Topic } from '@closeloop/contracts';
import { DeadLetter, checkReplayAge, describeDeadLetter, planReplay } from './dead-letters';
import { DeliveryStats } from './delivery-stats';

const letter = (headers: Record<string, string>, value = '{"eventId":"e-1","type":"feedback.scored"}'): DeadLetter => ({
  topic: 'cx.feedback.scored.v1.dlq', partition: 0, offset: '7', timestamp: '2026-11-23T10:00:00.000Z', key: 'c-42', value: Buffer.from(value), headers,
});

describe('planReplay', () => {
  it('sends the original key and bytes back to the original topic, without the x-dlq-* headers, with x-replayed-from', () => {
    const plan = planReplay(letter({ 'event-type': 'feedback.scored', [DlqHeader.OriginalTopic]: Topic.FeedbackScored, [DlqHeader.Reason]: 'boom', [DlqHeader.Attempts]: '5' }));
    expect(plan).toEqual({
      ok: true, topic: Topic.FeedbackScored, key: 'c-42', value: Buffer.from('{"eventId":"e-1","type":"feedback.scored"}'),
      headers: { 'event-type': 'feedback.scored', 'x-replayed-from': 'cx.feedback.scored.v1.dlq/0/7' },
    });
  });

  it.each([
    [{}, /no x-dlq-original-topic/],
    [{ [DlqHeader.OriginalTopic]: 'cx.feedback.scored.v1.dlq' }, /not a topic of this system/],
    [{ [DlqHeader.OriginalTopic]: 'somewhere.else' }, /not a topic of this system/],
  ])('refuses %j', (headers, reason) => {
    const plan = planReplay(letter(headers));
    expect(plan.ok).toBe(false);
    expect(!plan.ok && plan.reason).toMatch(reason);
  });

  it('a replayed message that failed again is replayed with a fresh trail', () => {
    const plan = planReplay(letter({ [DlqHeader.OriginalTopic]: Topic.TicketEvents, 'x-replayed-from': 'cx.ticket.events.v1.dlq/0/1' }));
    expect(plan.ok && plan.headers['x-replayed-from']).toBe('cx.feedback.scored.v1.dlq/0/7');
  });
});

describe('describeDeadLetter', () => {
  it('reads the reason headers and the event type, and survives a payload that is not JSON', () => {
    expect(describeDeadLetter(letter({ [DlqHeader.Reason]: 'invalid event', [DlqHeader.OriginalPartition]: '3', [DlqHeader.Attempts]: '0', [DlqHeader.ConsumerGroup]: 'tickets' })))
      .toMatchObject({ reason: 'invalid event', originalPartition: 3, attempts: 0, consumerGroup: 'tickets', eventType: 'feedback.scored', eventId: 'e-1' });
    expect(describeDeadLetter(letter({}, 'not json {'), { personalData: true })).toMatchObject({ eventType: null, preview: 'not json {', reason: null });
    expect(describeDeadLetter(letter({}, 'not json {'))).toMatchObject({ preview: '‹not JSON, 10 bytes: shown to admins only›', personalDataMasked: true });
  });
});

describe('DeliveryStats', () => {
  const d = (deliveryId: string, channel: 'slack' | 'sms', status: any, at: string) => ({
    deliveryId, ticketId: 't', ticketEventId: 'e', channel, purpose: 'alert' as const, recipient: 'C0CX', status, attempts: 1, at,
  });
  it('counts each delivery once, under its latest status, ignoring a stale redelivery', () => {
    const s = new DeliveryStats();
    s.record(d('1', 'slack', 'retrying', '2026-01-01T00:00:01Z'));
    s.record(d('1', 'slack', 'sent', '2026-01-01T00:00:02Z'));
    s.record(d('1', 'slack', 'retrying', '2026-01-01T00:00:01Z')); // redelivered old event
    s.record(d('2', 'sms', 'failed', '2026-01-01T00:00:03Z'));
    s.record(d('3', 'sms', 'delivered', '2026-01-01T00:00:04Z'));
    expect(s.byChannelAndOutcome()).toEqual([
      { channel: 'slack', status: 'sent', count: 1 },
      { channel: 'sms', status: 'delivered', count: 1 },
      { channel: 'sms', status: 'failed', count: 1 },
    ]);
    expect(s.recentFailures().map((f) => f.deliveryId)).toEqual(['2']);
  });
  it('is bounded', () => {
    const s = new DeliveryStats(2);
    ['a', 'b', 'c'].forEach((id, i) => s.record(d(id, 'slack', 'sent', `2026-01-01T00:00:0${i}Z`)));
    expect(s.byChannelAndOutcome()).toEqual([{ channel: 'slack', status: 'sent', count: 2 }]);
  });
});

describe('replay age (docs/adr/0010)', () => {
  const NOW = new Date('2026-11-30T12:00:00.000Z');
  const at = (daysAgo: number) => new Date(NOW.getTime() - daysAgo * 24 * 3_600_000).toISOString();
  const deadLetter = (dlqAt: string, value: string | null): DeadLetter => ({
    topic: 'cx.ticket.commands.v1.dlq', partition: 0, offset: '1', timestamp: dlqAt, key: 't-1', value: value === null ? null : Buffer.from(value),
    headers: { [DlqHeader.OriginalTopic]: Topic.TicketCommands },
  });
  const envelope = (occurredAt: string) => JSON.stringify({ eventId: 'e-1', type: 'ticket.claim', occurredAt, data: {} });

  it.each([
    ['an event from yesterday', at(1), envelope(at(1)), true],
    ['exactly at the limit', at(7), envelope(at(7)), true],
    ['an event 8 days old, dead-lettered today', at(0), envelope(at(8)), false],
    ['a recent event time but dead-lettered 8 days ago (the earlier one counts)', at(8), envelope(at(0)), false],
    ['not JSON: its dead-letter time counts', at(2), 'not json {', true],
    ['not JSON, dead-lettered 9 days ago', at(9), 'not json {', false],
    ['an unreadable occurredAt is ignored', at(1), envelope('yesterday'), true],
    ['no value at all', at(1), null, true],
  ])('%s → replayable: %s', (_what, dlqAt, value, ok) => {
    const r = checkReplayAge(deadLetter(dlqAt, value), NOW);
    expect(r.ok).toBe(ok);
    if (!r.ok) {
      expect(r.status).toBe(422);
      expect(r.reason).toMatch(/^too old to replay: dead letters can be replayed for 7 days after their event \(this one until .+\)\. Consumers remember processed events for 14 days/);
    }
  });

  it('the listing says until when each dead letter can be replayed', () => {
    expect(describeDeadLetter(deadLetter(at(1), envelope(at(3))))).toMatchObject({ replayableUntil: new Date(Date.parse(at(3)) + 7 * 24 * 3_600_000).toISOString() });
  });
});
