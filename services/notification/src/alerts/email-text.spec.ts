import { translator } from '@closeloop/contracts';
import { ticketEvent, snapshot, TICKET_ID } from '../../test/fixtures';
import { changeEmail, openedEmail, plain, threadMessageId } from './email-text';

const CONSOLE = 'http://console.test';
const EN = translator('en');

describe('alert emails', () => {
  it('the first message: the ticket as opened, its comment quoted line by line, a link, no markup', () => {
    const email = openedEmail(snapshot({ comment: 'Garsonlar çok kaba\nyemek 40 dakika sürdü <b>' }), CONSOLE, 'cx.example', EN);
    expect(email.messageId).toBe(`<ticket.${TICKET_ID}@cx.example>`);
    expect(email.inReplyTo).toBeUndefined();
    expect(email.text).toContain('A normal ticket was opened for dine-in (team cx).');
    expect(email.text).toContain('Score: NPS 3/10');
    expect(email.text).toContain('Comment:\n> Garsonlar çok kaba\n> yemek 40 dakika sürdü <b>');
    expect(email.text).toContain(`Open in the console: ${CONSOLE}/tickets/${TICKET_ID}`);
    expect(email.text).not.toMatch(/&lt;|&amp;|\*/);
  });

  it.each([
    ['ticket.claimed', { ticket: { status: 'claimed' as const, assigneeName: 'Ayşe & Co' } }, 'Claimed by Ayşe & Co'],
    ['ticket.resolved', { actor: { kind: 'agent' as const, name: 'Noa' }, ticket: { status: 'resolved' as const, rootCause: 'wait-time' } }, 'Resolved by Noa · root cause: wait-time'],
    ['ticket.sla_breached', { breach: 'resolve' as const }, 'SLA breached: the ticket was not resolved in time'],
  ] as const)('%s → a reply in the thread saying what changed', (type, data, said) => {
    const event = ticketEvent(type, data);
    const email = changeEmail(type, event.data, event.eventId, CONSOLE, 'cx.example', EN);
    expect(email?.inReplyTo).toBe(threadMessageId(TICKET_ID, 'cx.example'));
    expect(email?.messageId).toBe(`<ticket.${TICKET_ID}.${event.eventId}@cx.example>`);
    expect(email?.subject).toBe(`Re: ${openedEmail(snapshot(), CONSOLE, 'cx.example', EN).subject}`);
    expect(email?.text).toContain(said);
  });

  it('an internal note is no email', () => {
    const event = ticketEvent('ticket.note_added', { note: 'x' });
    expect(changeEmail('ticket.note_added', event.data, event.eventId, CONSOLE, 'cx.example', EN)).toBeUndefined();
  });

  it.each([
    ['*bold* text', 'bold text'],
    ['a &lt;b&gt; &amp; c', 'a <b> & c'],
    ['said:\n>line one\n>line two', 'said:\n> line one\n> line two'],
    ['2 * 3 * 4', '2 * 3 * 4'],
  ])('plain(%j) = %j', (mrkdwn, text) => {
    expect(plain(mrkdwn)).toBe(text);
  });
});
