import { randomUUID } from 'node:crypto';
import { makeEnvelope, type TicketEvent } from '@closeloop/contracts';
import { startSlackStub } from '@closeloop/testing';
import type { DeliveryRow } from '../src/persistence/notification.repository';
import { ticketEvent } from './fixtures';
import { startHarness, until, type NotificationHarness } from './harness';

/** `ticket.command_rejected` as tickets publishes it, through the real producer, topic, validation and handler. */
describe('notification: refused commands (real Kafka, Postgres, Slack stub)', () => {
  let h: NotificationHarness;

  beforeAll(async () => {
    h = await startHarness('refused');
  });
  afterAll(() => h?.close());

  /** A refusal of a Slack button press for a ticket tickets does not know: no snapshot, only the id the command named. */
  const rejectionOfUnknown = (ticketId: string, responseUrl: string): TicketEvent =>
    makeEnvelope(
      'ticket.command_rejected',
      { actor: { kind: 'agent' as const, id: 'ayse' }, reason: `there is no ticket ${ticketId}`, statusCode: 404, commandId: randomUUID(), ticketId, responseUrl },
      'tickets',
    );
  const finished = (ticketId: string): Promise<DeliveryRow> =>
    until(async () => (await h.deliveries(ticketId)).find((r) => !['pending', 'retrying', 'sending'].includes(r.status)), `the answer for ${ticketId} finished`);

  it('a command for an unknown ticket (no snapshot) is answered in Slack, and the consumer keeps going', async () => {
    const id = randomUUID();
    const responseUrl = h.slack.respondUrl(`unknown-${id}`);
    await h.publish(rejectionOfUnknown(id, responseUrl));

    const answer = await until(() => h.slack.calls('response_url').find((r) => r.responseUrlId === `unknown-${id}`), 'the rejection answer');
    expect(answer.form).toEqual({ response_type: 'ephemeral', replace_original: false, text: `You can't change this ticket: there is no ticket ${id}` });
    expect(await finished(id)).toMatchObject({ ticket_id: id, purpose: 'ephemeral', status: 'sent', snapshot_version: 0 });
    expect(await h.ds.query(`SELECT 1 FROM "${h.schema}".ticket_snapshot WHERE ticket_id = $1`, [id])).toEqual([]);
    const [event] = await h.deliveryEvents(id, 1);
    expect(event.data).toMatchObject({ ticketId: id, purpose: 'ephemeral', status: 'sent' });
  });

  it('a response_url off Slack\'s hooks host is never called: the answer fails for good, visibly', async () => {
    const elsewhere = await startSlackStub();
    try {
      // a refusal on an existing ticket (with its snapshot), as tickets publishes it
      const id = randomUUID();
      const responseUrl = elsewhere.respondUrl(`internal-${id}`);
      await h.publish(ticketEvent('ticket.command_rejected', { actor: { kind: 'agent', id: 'ayse' }, reason: 'already claimed', statusCode: 409, commandId: randomUUID(), responseUrl, ticket: { id } }));
      expect(await finished(id)).toMatchObject({ status: 'failed', last_error_code: 'response_url_not_allowed', attempts: 1 });
      await h.quiet();
      expect(elsewhere.requests).toEqual([]);
      const [event] = await h.deliveryEvents(id, 1);
      expect(event.data).toMatchObject({ purpose: 'ephemeral', status: 'failed', errorCode: 'response_url_not_allowed' });
      expect(JSON.stringify(event)).not.toContain(responseUrl);
    } finally {
      await elsewhere.close();
    }
  });
});
