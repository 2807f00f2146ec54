import { CATALOGS, LOCALES, translator } from '@closeloop/contracts';
import { snapshot, ticketEvent, TICKET_ID } from '../../test/fixtures';
import {
  decodeModalContext,
  encodeModalContext,
  assignValue,
  escapeMrkdwn,
  parseAssignValue,
  renderAlert,
  renderCommandRejected,
  humanDuration,
  renderThreadReply,
  resolveModal,
  SLACK_LIMITS,
  truncate,
  truncateEscaped,
} from './blocks';

const CONSOLE = 'http://127.0.0.1:3000';
const NOW = new Date('2026-11-23T10:05:00Z');
const URL_ = `${CONSOLE}/tickets/${TICKET_ID}`;
const EN = translator('en');
// Slack shows the token in the reader's time zone; the fallback is the team's (here UTC)
const FR_DUE = `<!date^1795431600^{date_short_pretty} {time}|${EN.dateTime('2026-11-23T11:00:00.000Z')}>`;
const RES_DUE = `<!date^1795600800^{date_short_pretty} {time}|${EN.dateTime('2026-11-25T10:00:00.000Z')}>`;

const claim = { type: 'button', action_id: 'claim', text: { type: 'plain_text', text: 'Claim' }, value: TICKET_ID, style: 'primary' };
const resolve = { type: 'button', action_id: 'resolve', text: { type: 'plain_text', text: 'Resolve' }, value: TICKET_ID };
const message = { type: 'button', action_id: 'message_customer', text: { type: 'plain_text', text: 'Message customer' }, value: TICKET_ID };
const open = { type: 'button', action_id: 'open_console', text: { type: 'plain_text', text: 'Open in console' }, url: URL_ };

describe('renderAlert', () => {
  it('renders an open ticket exactly: header, facts, comment, status/SLA, Claim + Resolve + Message customer + console link', () => {
    expect(renderAlert(snapshot(), { consoleUrl: CONSOLE, now: NOW, i18n: EN })).toEqual({
      text: '🟡 Normal NPS 3/10 at dine-in — Deniz (c-42): “Garsonlar çok kaba, yemek 40 dakika sürdü”',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: '🟡 Normal · NPS 3/10 · dine-in', emoji: true } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Customer*\nDeniz (c-42)' },
            { type: 'mrkdwn', text: '*Touchpoint*\ndine-in' },
            { type: 'mrkdwn', text: '*Score*\nNPS 3/10' },
            { type: 'mrkdwn', text: '*Feedback*\n1 response' },
          ],
        },
        { type: 'section', text: { type: 'mrkdwn', text: '>Garsonlar çok kaba, yemek 40 dakika sürdü _(tr)_' } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: `*Open* · not claimed yet  ·  First response due ${FR_DUE}  ·  Resolve due ${RES_DUE}` }] },
        { type: 'actions', block_id: 'ticket_actions', elements: [claim, resolve, message, open] },
      ],
    });
  });

  it('claimed: Claim is replaced by "Claimed by X"; Resolve stays', () => {
    const { blocks, text } = renderAlert(snapshot({ status: 'claimed', assigneeId: 'ayse', assigneeName: 'Ayşe Yılmaz', severity: 'critical', feedbackCount: 2 }), { consoleUrl: CONSOLE, now: NOW, i18n: EN });
    expect(text).toBe('🔴 Critical NPS 3/10 at dine-in — Deniz (c-42): “Garsonlar çok kaba, yemek 40 dakika sürdü” [claimed by Ayşe Yılmaz]');
    expect(blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '🔴 Critical · NPS 3/10 · dine-in', emoji: true } });
    expect(blocks[3]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: `🙋 *Claimed by Ayşe Yılmaz*  ·  Resolve due ${RES_DUE}` }] });
    expect(blocks[4]).toEqual({ type: 'actions', block_id: 'ticket_actions', elements: [resolve, message, open] });
  });

  it('resolved: no Claim/Resolve buttons, Message customer and the console link; root cause shown', () => {
    const { blocks } = renderAlert(snapshot({ status: 'resolved', assigneeName: 'Ayşe Yılmaz', rootCause: 'billing' }), { consoleUrl: CONSOLE, now: NOW, i18n: EN });
    expect(blocks[3]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: '✅ *Resolved* by Ayşe Yılmaz · root cause: billing' }] });
    expect(blocks[4]).toEqual({ type: 'actions', block_id: 'ticket_actions', elements: [message, open] });
  });

  it('shows an overdue SLA as such', () => {
    const { blocks } = renderAlert(snapshot(), { consoleUrl: CONSOLE, now: new Date('2026-11-23T12:00:00Z'), i18n: EN });
    expect(blocks[3]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: `*Open* · not claimed yet  ·  ⏰ *First response overdue* (due ${FR_DUE})  ·  Resolve due ${RES_DUE}` }] });
  });

  it('other metrics, no name, no comment', () => {
    const { blocks, text } = renderAlert(snapshot({ metric: 'csat', score: 1, customerName: undefined, comment: undefined, locale: undefined }), { consoleUrl: CONSOLE, now: NOW, i18n: EN });
    expect(text).toBe('🟡 Normal CSAT 1/5 at dine-in — c-42');
    expect(blocks[1]).toMatchObject({ fields: [{ text: '*Customer*\nc-42' }, {}, { text: '*Score*\nCSAT 1/5' }, {}] });
    expect(blocks[2]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '_No comment._' } });
  });

  it('escapes mrkdwn in customer data (no injected links or mentions) and quotes every line', () => {
    const { blocks } = renderAlert(snapshot({ customerName: '<!channel> & co', comment: 'line 1 <http://evil|click>\nline 2 > 1' }), { consoleUrl: CONSOLE, now: NOW, i18n: EN });
    expect(blocks[1]).toMatchObject({ fields: [{ text: '*Customer*\n&lt;!channel&gt; &amp; co (c-42)' }, {}, {}, {}] });
    expect(blocks[2]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '>line 1 &lt;http://evil|click&gt;\n>line 2 &gt; 1 _(tr)_' } });
  });

  it('escapes the fallback text like the blocks: & < > in customer data never become mentions or links', () => {
    const { text } = renderAlert(
      snapshot({ customerName: '<!channel> & co', comment: 'call <@U0BOSS> or <https://evil.example|support>', status: 'claimed', assigneeName: '<!here>' }),
      { consoleUrl: CONSOLE, now: NOW, i18n: EN },
    );
    expect(text).toBe(
      '🟡 Normal NPS 3/10 at dine-in — &lt;!channel&gt; &amp; co (c-42): “call &lt;@U0BOSS&gt; or &lt;https://evil.example|support&gt;” [claimed by &lt;!here&gt;]',
    );
    expect(text).not.toMatch(/<|>/);
  });

  it('keeps a huge multi-language comment under Slack limits, cut on a character boundary', () => {
    const comment = '退款'.repeat(1_000) + '👩‍👩‍👧'.repeat(1_000) + '<&>'.repeat(2_000);
    const { text, blocks } = renderAlert(snapshot({ comment }), { consoleUrl: CONSOLE, now: NOW, i18n: EN });
    expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.messageText);
    const section = blocks[2] as { text: { text: string } };
    expect(section.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(section.text.text).toMatch(/👩‍👩‍👧… _\(tr\)_$/);
    expect(JSON.stringify(blocks).length).toBeLessThan(12_000);
  });
});

describe('the Assign menu (SPEC §12)', () => {
  const people = [{ id: 'ayse', name: 'Ayşe Yılmaz' }, { id: 'mehmet', name: 'Mehmet Demir' }];
  const actionsOf = (t: ReturnType<typeof snapshot>, assignees = people) =>
    (renderAlert(t, { consoleUrl: CONSOLE, now: NOW, assignees, i18n: EN }).blocks.find((b) => b.type === 'actions') as { elements: any[] }).elements;
  const option = (a: { id: string; name: string }) => ({ text: { type: 'plain_text', text: a.name }, value: assignValue(TICKET_ID, a.id) });
  const menu = { type: 'static_select', action_id: 'assign', placeholder: { type: 'plain_text', text: 'Assign' }, options: people.map(option) };

  it.each([
    ['open, nobody assigned: after Claim/Resolve, no initial option', snapshot(), [claim, resolve, menu, message, open]],
    ['open, assigned: the assignee is the initial option', snapshot({ assigneeId: 'mehmet' }), [claim, resolve, { ...menu, initial_option: option(people[1]) }, message, open]],
    ['claimed: handed over from the menu', snapshot({ status: 'claimed', assigneeId: 'ayse' }), [resolve, { ...menu, initial_option: option(people[0]) }, message, open]],
    ['resolved: no menu', snapshot({ status: 'resolved', assigneeId: 'ayse' }), [message, open]],
  ])('%s', (_name, t, elements) => {
    expect(actionsOf(t)).toEqual(elements);
  });

  it('no one to offer → no menu; the status line names an open ticket’s assignee', () => {
    expect(actionsOf(snapshot(), [])).toEqual([claim, resolve, message, open]);
    const shown = JSON.stringify(renderAlert(snapshot({ assigneeId: 'ayse', assigneeName: 'Ayşe Yılmaz' }), { consoleUrl: CONSOLE, now: NOW, i18n: EN }).blocks);
    expect(shown).toContain('*Open* · 👤 assigned to *Ayşe Yılmaz*, not claimed yet');
  });

  it.each([
    [assignValue(TICKET_ID, 'ayse'), { ticketId: TICKET_ID, agentId: 'ayse' }],
    ['no-colon', undefined],
    [':ayse', undefined],
    [`${TICKET_ID}:`, undefined],
  ])('parseAssignValue(%j)', (value, expected) => {
    expect(parseAssignValue(value)).toEqual(expected);
  });

  it('a refused assignment is answered as such', () => {
    expect(renderCommandRejected('ticket.assign', { reason: 'the assign action needs the role lead or admin' }, EN)).toBe("You can't assign this ticket: the assign action needs the role lead or admin");
  });

  it('renders the ticket.assigned thread reply', () => {
    const e = ticketEvent('ticket.assigned', { actor: { kind: 'agent', id: 'mehmet', name: 'Mehmet Demir' }, ticket: { assigneeId: 'ayse', assigneeName: 'Ayşe Yılmaz' } });
    expect(renderThreadReply('ticket.assigned', e.data, EN)).toBe('👤 Assigned to *Ayşe Yılmaz* by Mehmet Demir');
  });
});

describe('truncate / truncateEscaped', () => {
  it.each([
    ['short stays', 'abc', 5, 'abc'],
    ['exact fits', 'abcde', 5, 'abcde'],
    ['cut with an ellipsis', 'abcdef', 5, 'abcd…'],
    ['never half a surrogate pair', '😀😀😀', 4, '😀…'],
    ['never a letter without its combining mark', 'e\u0301e\u0301e\u0301', 4, 'e\u0301…'],
  ])('truncate: %s', (_n, text, max, expected) => {
    expect(truncate(text, max)).toBe(expected);
  });

  it('never cuts an escape entity in half', () => {
    expect(truncateEscaped('a<b', 5)).toBe('a…');
    expect(truncateEscaped('a<b', 6)).toBe('a&lt;b');
    expect(escapeMrkdwn('<a & b>')).toBe('&lt;a &amp; b&gt;');
  });
});

describe('renderThreadReply', () => {
  it.each([
    ['ticket.claimed', { ticket: { status: 'claimed', assigneeName: 'Ayşe Yılmaz' } }, '🙋 Claimed by *Ayşe Yılmaz*'],
    ['ticket.resolved', { actor: { kind: 'agent', id: 'ayse', name: 'Ayşe Yılmaz' }, customerContacted: true, ticket: { status: 'resolved', rootCause: 'billing' } }, '✅ Resolved by *Ayşe Yılmaz* · root cause: billing · customer contacted'],
    ['ticket.reopened', { actor: { kind: 'agent', id: 'noa', name: 'Noa Levi' }, reason: 'customer <called> again' }, '↩️ Reopened by *Noa Levi*: customer &lt;called&gt; again'],
    ['ticket.sla_breached', { breach: 'firstResponse' }, '⏰ SLA breached: nobody responded in time'],
    ['ticket.sla_breached', { breach: 'resolve' }, '⏰ SLA breached: the ticket was not resolved in time'],
    [
      'ticket.feedback_attached',
      { previousSeverity: 'normal', ticket: { severity: 'critical', feedbackCount: 2, score: 1, comment: 'avukatımı arayacağım' } },
      '➕ More feedback from this customer (2 in all, latest NPS 1/10) · severity raised from normal to *critical*\n>avukatımı arayacağım',
    ],
    [
      'ticket.feedback_revised',
      { revision: 2, ticket: { severity: 'normal', feedbackCount: 1, score: 7, comment: 'I want a <refund>' } },
      '✏️ The customer changed their feedback (now NPS 7/10)\n>I want a &lt;refund&gt;',
    ],
    [
      'ticket.feedback_revised',
      { revision: 3, previousSeverity: 'normal', ticket: { severity: 'critical', score: 7, comment: 'calling my lawyer' } },
      '✏️ The customer changed their feedback (now NPS 7/10) · severity raised from normal to *critical*\n>calling my lawyer',
    ],
    ['ticket.note_added', { note: 'internal' }, undefined],
  ] as const)('%s', (type, over, expected) => {
    const e = ticketEvent(type, over as never);
    expect(renderThreadReply(e.type, e.data, EN)).toBe(expected);
  });
});

describe('humanDuration', () => {
  it.each([
    ['PT1H30M', '1 hr 30 min'],
    ['PT15M', '15 min'],
    ['P1W', '7 days'],
    ['PT1.5H', '1 hr 30 min'],
    ['P3D', '3 days'],
    ['soon', 'soon'],
    ['P1M', 'P1M'],
  ])('%s → %s (as the routing file reads it; anything else as written)', (iso, text) => {
    expect(humanDuration(iso, EN).replace(/\u00a0/g, ' ')).toBe(text);
  });
});

describe('renderCommandRejected', () => {
  it.each([
    ['ticket.claim', 'ticket is already claimed by Noa Levi', "You can't claim this ticket: ticket is already claimed by Noa Levi"],
    ['ticket.resolve', 'ticket is already resolved', "You can't resolve this ticket: ticket is already resolved"],
    [undefined, 'ticket not found', "You can't change this ticket: ticket not found"],
    ['ticket.claim', 'agentId: unknown agent "<!channel>"', 'You can\'t claim this ticket: agentId: unknown agent "&lt;!channel&gt;"'],
  ] as const)('%s', (type, reason, expected) => {
    expect(renderCommandRejected(type, { reason }, EN)).toBe(expected);
  });

  it.each([
    ['en', EN, { reasonCode: 'already_claimed', assignee: 'Noa Levi' }, "You can't claim this ticket: Noa Levi has already claimed it"],
    ['tr', translator('tr'), { reasonCode: 'already_claimed', assignee: 'Noa Levi' }, 'Bu talebi üstlenemezsiniz: Noa Levi zaten üstlendi'],
    ['tr', translator('tr'), { reasonCode: 'forbidden_team', team: 'delivery' }, 'Bu talebi üstlenemezsiniz: talep delivery ekibinin; yalnızca kendi ekibinizde işlem yapabilirsiniz'],
    ['zh', translator('zh'), { reasonCode: 'resolved_reopen_first' }, '无法认领此工单：工单已解决，请先重新打开'],
    // in Hebrew every value is isolated, the name inside the reason too
    ['he', translator('he'), { reasonCode: 'already_claimed', assignee: 'Noa Levi' }, 'אי אפשר לקחת את הפנייה: \u2068\u2068Noa Levi\u2069 כבר לקח/ה אותה\u2069'],
  ] as const)('%s: a refusal tickets gave a code for is said in the reader\'s language (%j)', (_locale, i18n, why, expected) => {
    expect(renderCommandRejected('ticket.claim', { reason: 'English text from tickets', ...why }, i18n)).toBe(expected);
  });
});

describe('resolveModal', () => {
  it('lists the root causes, asks for a note and "customer contacted", and carries the ticket id', () => {
    const view = resolveModal({ ticketId: TICKET_ID, responseUrl: 'https://hooks.slack.com/actions/1' }, ['staff-behaviour', 'billing'], snapshot(), { i18n: EN });
    expect(view).toEqual({
      type: 'modal',
      callback_id: 'closeloop_resolve',
      private_metadata: JSON.stringify({ ticketId: TICKET_ID, responseUrl: 'https://hooks.slack.com/actions/1' }),
      title: { type: 'plain_text', text: 'Resolve ticket' },
      submit: { type: 'plain_text', text: 'Resolve' },
      close: { type: 'plain_text', text: 'Cancel' },
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: '🟡 Normal · NPS 3/10 · dine-in · Deniz (c-42)' } },
        {
          type: 'input',
          block_id: 'root_cause',
          label: { type: 'plain_text', text: 'Root cause' },
          element: {
            type: 'static_select',
            action_id: 'root_cause_select',
            placeholder: { type: 'plain_text', text: 'Pick the root cause' },
            options: [
              { text: { type: 'plain_text', text: 'Staff behaviour' }, value: 'staff-behaviour' },
              { text: { type: 'plain_text', text: 'Billing' }, value: 'billing' },
            ],
          },
        },
        {
          type: 'input',
          block_id: 'note',
          optional: true,
          label: { type: 'plain_text', text: 'Resolution note' },
          element: { type: 'plain_text_input', action_id: 'note_input', multiline: true, max_length: 3000 },
        },
        {
          type: 'input',
          block_id: 'customer_contacted',
          optional: true,
          label: { type: 'plain_text', text: 'Customer' },
          element: { type: 'checkboxes', action_id: 'customer_contacted_check', options: [{ text: { type: 'plain_text', text: 'Customer contacted' }, value: 'contacted' }] },
        },
      ],
    });
    expect(view.title.text.length).toBeLessThanOrEqual(SLACK_LIMITS.modalTitle);
  });

  it('offers the recheck (SPEC §11) as a second checkbox when the routing file has a recheck template', () => {
    const view = resolveModal({ ticketId: TICKET_ID }, ['billing'], snapshot(), { recheckAfter: 'P3D', i18n: EN });
    const block = view.blocks.find((b) => 'block_id' in b && b.block_id === 'customer_contacted') as { element: { options: unknown[] } };
    expect(block.element.options).toEqual([
      { text: { type: 'plain_text', text: 'Customer contacted' }, value: 'contacted' },
      { text: { type: 'plain_text', text: 'Ask them again after 3 days (recheck)' }, value: 'recheck' },
    ]);
  });

  it('private_metadata round-trips and rejects garbage', () => {
    expect(decodeModalContext(encodeModalContext({ ticketId: 't-1', responseUrl: 'https://x' }))).toEqual({ ticketId: 't-1', responseUrl: 'https://x' });
    expect(decodeModalContext(encodeModalContext({ ticketId: 't-1', responseUrl: 'x'.repeat(5_000) }))).toEqual({ ticketId: 't-1' });
    for (const bad of [undefined, '', 'not json', '{}', '{"ticketId":""}', 42]) expect(decodeModalContext(bad)).toBeUndefined();
  });
});

describe('in the team\'s language (SPEC §14)', () => {
  const TR = translator('tr', { timeZone: 'Europe/Istanbul' });
  const HE = translator('he', { timeZone: 'Asia/Jerusalem' });
  const iso = (s: string) => `\u2068${s}\u2069`;
  const due = (i18n: typeof TR, unix: number, at: string) => `<!date^${unix}^{date_short_pretty} {time}|${i18n.dateTime(at)}>`;
  const texts = (blocks: ReturnType<typeof renderAlert>['blocks']) => ({
    header: (blocks[0] as { text: { text: string } }).text.text,
    fields: (blocks[1] as { fields: { text: string }[] }).fields.map((f) => f.text),
    status: (blocks[3] as { elements: { text: string }[] }).elements[0].text,
    buttons: (blocks[4] as { elements: { text: { text: string } }[] }).elements.map((e) => e.text?.text ?? (e as { placeholder?: { text: string } }).placeholder?.text),
  });

  it.each([
    ['tr', TR, {
      header: '🟡 Normal · NPS 3/10 · dine-in',
      fields: ['*Müşteri*\nDeniz (c-42)', '*Temas noktası*\ndine-in', '*Puan*\nNPS 3/10', '*Geri bildirim*\n1 yanıt'],
      status: `*Açık* · henüz üstlenilmedi  ·  İlk yanıt için son: ${due(TR, 1795431600, '2026-11-23T11:00:00Z')}  ·  Çözüm için son: ${due(TR, 1795600800, '2026-11-25T10:00:00Z')}`,
      buttons: ['Üstlen', 'Çözüldü', 'Ata', 'Müşteriye yaz', 'Konsolda aç'],
    }, {
      status: `🙋 *Ayşe Yılmaz üstlendi*  ·  Çözüm için son: ${due(TR, 1795600800, '2026-11-25T10:00:00Z')}`,
      buttons: ['Çözüldü', 'Ata', 'Müşteriye yaz', 'Konsolda aç'],
      text: '🟡 Normal NPS 3/10 · dine-in — Deniz (c-42): “Garsonlar çok kaba, yemek 40 dakika sürdü” [Ayşe Yılmaz üstlendi]',
    }],
    ['he', HE, {
      header: `${iso('🟡 רגיל')} · ${iso('NPS 3/10')} · ${iso('dine-in')}`,
      fields: ['*לקוח*\nDeniz (c-42)', '*נקודת מגע*\ndine-in', '*ציון*\nNPS 3/10', '*משוב*\nתגובה אחת'],
      status: `*פתוח* · עוד לא נלקח  ·  מענה ראשון עד ${iso(due(HE, 1795431600, '2026-11-23T11:00:00Z'))}  ·  סגירה עד ${iso(due(HE, 1795600800, '2026-11-25T10:00:00Z'))}`,
      buttons: ['לקחת', 'סגירה', 'הקצאה', 'הודעה ללקוח', 'פתיחה בקונסולה'],
    }, {
      status: `🙋 *נלקח על ידי ${iso('Ayşe Yılmaz')}*  ·  סגירה עד ${iso(due(HE, 1795600800, '2026-11-25T10:00:00Z'))}`,
      buttons: ['סגירה', 'הקצאה', 'הודעה ללקוח', 'פתיחה בקונסולה'],
      text: `${iso('🟡 רגיל')} ${iso('NPS 3/10')} · ${iso('dine-in')} — ${iso('Deniz (c-42)')}: “Garsonlar çok kaba, yemek 40 dakika sürdü” [נלקח על ידי ${iso('Ayşe Yılmaz')}]`,
    }],
  ] as const)('%s: labels, buttons and the update after a claim; the comment as written', (_locale, i18n, opened, claimed) => {
    const people = [{ id: 'ayse', name: 'Ayşe Yılmaz' }];
    const first = renderAlert(snapshot(), { consoleUrl: CONSOLE, now: NOW, assignees: people, i18n });
    expect(texts(first.blocks)).toEqual(opened);
    expect(first.blocks[2]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '>Garsonlar çok kaba, yemek 40 dakika sürdü _(tr)_' } });
    const update = renderAlert(snapshot({ status: 'claimed', assigneeId: 'ayse', assigneeName: 'Ayşe Yılmaz' }), { consoleUrl: CONSOLE, now: NOW, assignees: people, i18n });
    expect({ ...texts(update.blocks), text: update.text }).toMatchObject(claimed);
  });

  it.each([
    ['tr', TR, '🙋 *Ayşe Yılmaz* üstlendi', 'Bu talebi üstlenemezsiniz: ticket is already claimed by Noa Levi'],
    ['he', HE, `🙋 נלקח על ידי *${iso('Ayşe Yılmaz')}*`, `אי אפשר לקחת את הפנייה: ${iso('ticket is already claimed by Noa Levi')}`],
  ] as const)('%s: the thread reply after a claim and a refused claim', (_locale, i18n, reply, refused) => {
    const e = ticketEvent('ticket.claimed', { ticket: { status: 'claimed', assigneeName: 'Ayşe Yılmaz' } } as never);
    expect(renderThreadReply(e.type, e.data, i18n)).toBe(reply);
    expect(renderCommandRejected('ticket.claim', { reason: 'ticket is already claimed by Noa Levi' }, i18n)).toBe(refused);
  });

  it.each([
    ['tr', TR, 'Talebi çöz', 'Çözüldü', 'Vazgeç', 'Kök neden'],
    ['he', HE, 'סגירת פנייה', 'סגירה', 'ביטול', 'סיבת שורש'],
  ] as const)('%s: the resolve modal', (_locale, i18n, title, submit, close, label) => {
    const view = resolveModal({ ticketId: TICKET_ID }, ['billing'], snapshot(), { i18n });
    expect([view.title.text, view.submit?.text, view.close?.text, (view.blocks[1] as { label: { text: string } }).label.text]).toEqual([title, submit, close, label]);
  });
});

describe('Slack limits in every locale (SPEC §14: no translation is cut)', () => {
  const BUTTONS = ['alert.button.claim', 'alert.button.resolve', 'alert.button.assign', 'alert.button.messageCustomer', 'alert.button.openConsole', 'modal.resolve.contacted'] as const;
  // a modal's title, submit and close are each at most 24 characters; Resolve is the resolve modal's submit
  const MODAL_TITLES = ['modal.resolve.title', 'modal.message.title', 'modal.cancel', 'modal.message.send', 'alert.button.resolve'] as const;
  it.each(LOCALES)('%s: buttons fit %s, modal titles fit 24', (locale) => {
    const i18n = translator(locale);
    for (const key of BUTTONS) expect([key, i18n.t(key).length <= SLACK_LIMITS.buttonText]).toEqual([key, true]);
    for (const key of MODAL_TITLES) expect([key, i18n.t(key), i18n.t(key).length <= SLACK_LIMITS.modalTitle]).toEqual([key, CATALOGS[locale][key], true]);
  });
});
