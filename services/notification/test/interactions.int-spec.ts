import { randomUUID } from 'node:crypto';
import { waitFor } from '@closeloop/testing';
import { signSlackRequest } from '../src/slack/signature';
import { ticketEvent } from './fixtures';
import { blockAction, SLACK_SECRET, startHarness, until, type NotificationHarness } from './harness';

describe('notification: Slack interactivity (signed webhooks → commands on Kafka, modals and answers through the stub)', () => {
  let h: NotificationHarness;

  beforeAll(async () => {
    h = await startHarness('interact');
  });
  afterAll(() => h?.close());

  const commandsFor = async (ticketId: string) => (await h.commands(0)).filter((c) => c.key === ticketId);
  const recordedCommands = async (ticketId: string) => (await h.ds.query(`SELECT type, agent_id FROM "${h.schema}".slack_command WHERE ticket_id = $1`, [ticketId])) as { type: string; agent_id: string }[];

  it('a signed Claim press is acknowledged at once and becomes a ticket.claim command (key: ticket id)', async () => {
    const id = randomUUID();
    const responseUrl = h.slack.respondUrl(`claim-${id}`);
    const res = await h.postInteraction(blockAction({ actionId: 'claim', ticketId: id, userId: 'U0AYSE', responseUrl }));
    expect(res).toMatchObject({ status: 200, body: '' });
    // recorded before Slack heard 200 (a crash right after the answer cannot lose the press); sent on through the outbox
    expect(await recordedCommands(id)).toEqual([{ type: 'ticket.claim', agent_id: 'ayse' }]);

    await waitFor(async () => (await commandsFor(id)).length === 1, { what: 'the claim command' });
    const [{ event }] = await commandsFor(id);
    expect(event).toMatchObject({ type: 'ticket.claim', version: 1, producer: 'notification', data: { ticketId: id, agentId: 'ayse', via: 'slack', responseUrl } });
    expect(event.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(h.slack.calls('response_url').filter((r) => r.responseUrlId === `claim-${id}`)).toHaveLength(0);
  });

  it.each([
    ['a wrong signature', { signature: `v0=${'0'.repeat(64)}` }],
    ['a body signed with another secret', { secret: 'not-the-secret' }],
    ['a stale timestamp (6 minutes old, correctly signed)', { timestamp: Math.floor(Date.now() / 1000) - 360 }],
  ])('%s → 401 and nothing changes', async (_name, opts) => {
    const id = randomUUID();
    const res = await h.postInteraction(blockAction({ actionId: 'claim', ticketId: id, userId: 'U0AYSE', responseUrl: h.slack.respondUrl(`bad-${id}`) }), opts);
    expect(res.status).toBe(401);
    await h.quiet();
    expect(await recordedCommands(id)).toEqual([]);
    expect(await commandsFor(id)).toEqual([]);
  });

  it('missing signature headers → 401', async () => {
    const res = await fetch(`${h.baseUrl}/slack/interactions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ payload: '{}' }).toString(),
    });
    expect(res.status).toBe(401);
  });

  it('a signed request without a usable payload → 400', async () => {
    const body = 'payload=not-json';
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(`${h.baseUrl}/slack/interactions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Slack-Request-Timestamp': String(ts), 'X-Slack-Signature': signSlackRequest(SLACK_SECRET, ts, body) },
      body,
    });
    expect(res.status).toBe(400);
  });

  it('an unknown Slack user is told through response_url; nothing changes', async () => {
    const id = randomUUID();
    const res = await h.postInteraction(blockAction({ actionId: 'claim', ticketId: id, userId: 'U0STRANGER', responseUrl: h.slack.respondUrl(`stranger-${id}`) }));
    expect(res.status).toBe(200);
    const answer = await until(() => h.slack.calls('response_url').find((r) => r.responseUrlId === `stranger-${id}`), 'the answer to the stranger');
    expect(answer.form).toEqual({ response_type: 'ephemeral', replace_original: false, text: expect.stringMatching(/^Your Slack user isn't linked to a Closeloop agent/) });
    expect(await recordedCommands(id)).toEqual([]);
    expect(await commandsFor(id)).toEqual([]);
  });

  it('Resolve opens a modal (views.open) listing the root causes; its submission becomes a ticket.resolve command', async () => {
    const id = randomUUID();
    const responseUrl = h.slack.respondUrl(`resolve-${id}`);
    const triggerId = `trigger-${id}`;
    const res = await h.postInteraction(blockAction({ actionId: 'resolve', ticketId: id, userId: 'U0NOA', responseUrl, triggerId }));
    expect(res.status).toBe(200);
    const open = await until(() => h.slack.calls('views.open').find((r) => r.form.trigger_id === triggerId), 'views.open');
    const view = open.form.view;
    expect(view).toMatchObject({ type: 'modal', callback_id: 'closeloop_resolve', private_metadata: JSON.stringify({ ticketId: id, responseUrl }) });
    const select = view.blocks.find((b: { block_id?: string }) => b.block_id === 'root_cause').element;
    expect(select.options.map((o: { value: string }) => o.value)).toEqual(['staff-behaviour', 'wait-time', 'billing', 'other']);
    // no recheck template in this routing file: no recheck checkbox
    expect(view.blocks.find((b: { block_id?: string }) => b.block_id === 'customer_contacted').element.options.map((o: { value: string }) => o.value)).toEqual(['contacted']);
    expect(await recordedCommands(id)).toEqual([]);

    const submission = {
      type: 'view_submission',
      user: { id: 'U0NOA', username: 'noa' },
      trigger_id: `submit-${id}`,
      view: {
        id: 'V0000000042',
        hash: '1700000000.abc',
        callback_id: 'closeloop_resolve',
        private_metadata: view.private_metadata,
        state: {
          values: {
            root_cause: { root_cause_select: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'Billing' }, value: 'billing' } } },
            note: { note_input: { type: 'plain_text_input', value: '  Refunded the delivery fee.  ' } },
            customer_contacted: { customer_contacted_check: { type: 'checkboxes', selected_options: [{ value: 'contacted' }, { value: 'recheck' }] } },
          },
        },
      },
    };
    const submitted = await h.postInteraction(submission);
    expect(submitted).toMatchObject({ status: 200 });
    expect(JSON.parse(submitted.body)).toEqual({});
    await waitFor(async () => (await commandsFor(id)).length === 1, { what: 'the resolve command' });
    const [{ event }] = await commandsFor(id);
    expect(event).toMatchObject({
      type: 'ticket.resolve',
      data: { ticketId: id, agentId: 'noa', via: 'slack', rootCause: 'billing', note: 'Refunded the delivery fee.', customerContacted: true, recheck: true, responseUrl },
    });

    // Slack may deliver the same submission twice: still one command
    expect((await h.postInteraction(submission)).status).toBe(200);
    await h.quiet();
    expect(await recordedCommands(id)).toEqual([{ type: 'ticket.resolve', agent_id: 'noa' }]);
  });

  it.each([
    ['no root cause picked', {}],
    ['a root cause not in the routing file', { root_cause: { root_cause_select: { selected_option: { value: 'aliens' } } } }],
  ])('a submission with %s is answered with response_action: errors and sends nothing', async (_name, values) => {
    const id = randomUUID();
    const res = await h.postInteraction({
      type: 'view_submission',
      user: { id: 'U0NOA' },
      view: { id: 'V1', callback_id: 'closeloop_resolve', private_metadata: JSON.stringify({ ticketId: id }), state: { values } },
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ response_action: 'errors', errors: { root_cause: 'Pick one of: staff-behaviour, wait-time, billing, other' } });
    expect(await recordedCommands(id)).toEqual([]);
  });

  it('a refused command (ticket.command_rejected) is explained to the Slack user, ephemerally', async () => {
    const id = randomUUID();
    const responseUrl = h.slack.respondUrl(`rejected-${id}`);
    await h.postInteraction(blockAction({ actionId: 'claim', ticketId: id, userId: 'U0AYSE', responseUrl }));
    await waitFor(async () => (await commandsFor(id)).length === 1, { what: 'the claim command' });
    const [{ event: claim }] = await commandsFor(id);

    await h.publish(
      ticketEvent('ticket.command_rejected', {
        actor: { kind: 'agent', id: 'ayse' },
        reason: 'ticket is already claimed by Noa Levi',
        statusCode: 409,
        commandId: claim.eventId,
        responseUrl,
        ticket: { id, status: 'claimed', assigneeId: 'noa', assigneeName: 'Noa Levi', version: 2 },
      }),
    );
    const answer = await until(() => h.slack.calls('response_url').find((r) => r.responseUrlId === `rejected-${id}`), 'the rejection answer');
    expect(answer.form).toEqual({ response_type: 'ephemeral', replace_original: false, text: "You can't claim this ticket: ticket is already claimed by Noa Levi" });
    await waitFor(async () => (await h.deliveries(id))[0]?.status === 'sent', { what: 'the ephemeral delivery recorded as sent' });
    const [row] = await h.deliveries(id);
    expect(row).toMatchObject({ purpose: 'ephemeral', recipient: 'response_url', channel: 'slack' });
    const [event] = await h.deliveryEvents(id, 1);
    expect(event.data).toMatchObject({ purpose: 'ephemeral', recipient: 'response_url', status: 'sent' });
    expect(JSON.stringify(event)).not.toContain(responseUrl);
  });

  it('Message customer opens a modal previewing the templates in the customer’s language; its submission becomes ticket.message_customer; a refusal is told ephemerally', async () => {
    const id = randomUUID();
    await h.publish(ticketEvent('ticket.opened', { ticket: { id, locale: 'tr', customerName: 'Deniz' } }));
    await waitFor(async () => (await h.deliveries(id)).some((d) => d.status === 'sent'), { what: 'the alert posted (the snapshot is known)' });
    const responseUrl = h.slack.respondUrl(`message-${id}`);
    const triggerId = `trigger-msg-${id}`;
    expect((await h.postInteraction(blockAction({ actionId: 'message_customer', ticketId: id, userId: 'U0AYSE', responseUrl, triggerId }))).status).toBe(200);
    const open = await until(() => h.slack.calls('views.open').find((r) => r.form.trigger_id === triggerId), 'views.open');
    const view = open.form.view;
    expect(view).toMatchObject({ type: 'modal', callback_id: 'closeloop_message_customer', private_metadata: JSON.stringify({ ticketId: id, responseUrl }) });
    expect(JSON.stringify(view.blocks)).toContain('Merhaba Deniz, ben Ayşe Yılmaz. dine-in ziyaretiniz için özür dileriz.');

    const submit = (values: Record<string, unknown>, viewId = 'V0000000077') =>
      h.postInteraction({ type: 'view_submission', user: { id: 'U0AYSE' }, view: { id: viewId, hash: '1700000000.msg', callback_id: 'closeloop_message_customer', private_metadata: view.private_metadata, state: { values } } });
    const neither = await submit({});
    expect(JSON.parse(neither.body)).toEqual({ response_action: 'errors', errors: { message_body: 'Pick a template or write a message' } });
    const chosen = { message_template: { message_template_select: { type: 'static_select', selected_option: { value: 'apology' } } }, message_body: { message_body_input: { value: null } } };
    expect(JSON.parse((await submit(chosen)).body)).toEqual({});
    expect(JSON.parse((await submit(chosen)).body)).toEqual({}); // Slack delivering it twice: one command
    await h.quiet();
    const commands = (await commandsFor(id)).map((c) => c.event);
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatchObject({ type: 'ticket.message_customer', data: { ticketId: id, agentId: 'ayse', via: 'slack', channel: 'sms', template: 'apology', responseUrl } });

    await h.publish(
      ticketEvent('ticket.command_rejected', {
        actor: { kind: 'agent', id: 'ayse' }, reason: 'the customer has opted out of SMS', statusCode: 409, commandId: commands[0].eventId, responseUrl, ticket: { id },
      }),
    );
    const answer = await until(() => h.slack.calls('response_url').find((r) => r.responseUrlId === `message-${id}`), 'the rejection answer');
    expect(answer.form.text).toBe("You can't message this ticket's customer: the customer has opted out of SMS");
  });

  it('the console link button is acknowledged and ignored', async () => {
    const id = randomUUID();
    const res = await h.postInteraction(blockAction({ actionId: 'open_console', ticketId: id, userId: 'U0AYSE', responseUrl: h.slack.respondUrl(`link-${id}`) }));
    expect(res.status).toBe(200);
    await h.quiet();
    expect(await recordedCommands(id)).toEqual([]);
    expect(h.slack.calls('response_url').filter((r) => r.responseUrlId === `link-${id}`)).toEqual([]);
  });
});
