// SPEC §12: the Assign menu on the alert (a static_select of the team's agents and leads), a choice becomes a
// `ticket.assign` command, and the alert shows the assignee after `ticket.assigned` (chat.update + thread reply).
import { randomUUID } from 'node:crypto';
import { waitFor } from '@closeloop/testing';
import { ACTION_ASSIGN, assignValue } from '../src/slack/blocks';
import type { DeliveryRow } from '../src/persistence/notification.repository';
import { routingYaml, ticketEvent } from './fixtures';
import { blockAction, startHarness, until, type NotificationHarness } from './harness';

/** The test routing file with a lead in cx (and ops, who is never offered). */
const ROUTING = routingYaml().replace(
  '  - { id: ayse, name: "Ayşe Yılmaz", team: cx, slackUserId: U0AYSE }',
  [
    '  - { id: ayse, name: "Ayşe Yılmaz", team: cx, slackUserId: U0AYSE }',
    '  - { id: mehmet, name: "Mehmet Demir", team: cx, slackUserId: U0MEHMET, role: lead }',
    '  - { id: emre, name: "Emre Koç", team: cx, slackUserId: U0EMRE, role: ops }',
  ].join('\n'),
);

describe('notification: the Assign menu (SPEC §12)', () => {
  let h: NotificationHarness;
  beforeAll(async () => {
    h = await startHarness('assign', { routing: ROUTING });
  });
  afterAll(() => h?.close());

  const settled = (ticketId: string, atLeast: number): Promise<DeliveryRow[]> =>
    until(async () => {
      const rows = await h.deliveries(ticketId);
      return rows.length >= atLeast && rows.every((r) => !['pending', 'retrying', 'sending'].includes(r.status)) ? rows : undefined;
    }, `deliveries of ${ticketId} settled`);
  const topLevel = (id: string) => h.slack.calls('chat.postMessage').filter((r) => !r.form.thread_ts && r.form.metadata?.event_payload?.ticket_id === id);
  // Slack posts blocks as a JSON string in the form; the stub keeps them as sent
  const blocksOf = (form: { blocks?: unknown }) => (typeof form.blocks === 'string' ? JSON.parse(form.blocks) : form.blocks) as { type: string; elements?: any[] }[];
  const menuOf = (form: { blocks?: unknown }) => blocksOf(form).flatMap((b) => b.elements ?? []).find((e) => e.action_id === ACTION_ASSIGN);

  it('the alert offers the team’s agents and leads; ticket.assigned updates it (assignee shown, menu on them) and replies in the thread', async () => {
    const id = randomUUID();
    await h.publish(ticketEvent('ticket.opened', { ticket: { id } }));
    await settled(id, 1);
    const [post] = topLevel(id);
    const menu = menuOf(post.form);
    expect(menu).toMatchObject({ type: 'static_select', placeholder: { text: 'Assign' } });
    expect(menu.options.map((o: { value: string; text: { text: string } }) => [o.text.text, o.value])).toEqual([
      ['Ayşe Yılmaz', assignValue(id, 'ayse')],
      ['Mehmet Demir', assignValue(id, 'mehmet')],
      ['Lale Kaya', assignValue(id, 'lale')], // the team's lead (test/fixtures.ts)
    ]);
    expect(menu.initial_option).toBeUndefined();

    await h.publish(ticketEvent('ticket.assigned', {
      actor: { kind: 'agent', id: 'mehmet', name: 'Mehmet Demir' }, ticket: { id, assigneeId: 'ayse', assigneeName: 'Ayşe Yılmaz', version: 2 },
    }));
    await settled(id, 3);
    const [{ ts }] = await h.ds.query(`SELECT ts FROM "${h.schema}".alert_message WHERE ticket_id = $1`, [id]);
    const updates = h.slack.calls('chat.update').filter((r) => r.form.ts === ts);
    expect(updates).toHaveLength(1);
    expect(JSON.stringify(blocksOf(updates[0].form))).toContain('assigned to *Ayşe Yılmaz*, not claimed yet');
    expect(menuOf(updates[0].form).initial_option.value).toBe(assignValue(id, 'ayse'));
    expect(h.slack.calls('chat.postMessage').filter((r) => r.form.thread_ts === ts).map((r) => r.form.text)).toEqual([
      '👤 Assigned to *Ayşe Yılmaz* by Mehmet Demir',
    ]);
    expect(topLevel(id)).toHaveLength(1);
  });

  it('a signed Assign choice becomes one ticket.assign command (who asked, whom to assign; key: the ticket id)', async () => {
    const id = randomUUID();
    const responseUrl = h.slack.respondUrl(`assign-${id}`);
    // block_actions of a static_select: the chosen option under `selected_option` (see src/slack/blocks.ts ACTION_ASSIGN)
    const payload = blockAction({ actionId: ACTION_ASSIGN, ticketId: id, userId: 'U0MEHMET', responseUrl });
    const { value: _value, text: _text, ...rest } = payload.actions[0];
    payload.actions = [{
      ...rest, type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'Ayşe Yılmaz' }, value: assignValue(id, 'ayse') },
    } as unknown as (typeof payload.actions)[number]];
    const res = await h.postInteraction(payload);
    expect(res).toMatchObject({ status: 200, body: '' });
    await waitFor(async () => (await h.commands(0)).some((c) => c.key === id), { what: 'the assign command' });
    const sent = (await h.commands(0)).filter((c) => c.key === id);
    expect(sent).toHaveLength(1);
    expect(sent[0].event).toMatchObject({ type: 'ticket.assign', data: { ticketId: id, agentId: 'mehmet', assigneeId: 'ayse', via: 'slack', responseUrl } });
  });
});
