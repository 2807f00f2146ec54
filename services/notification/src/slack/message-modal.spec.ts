import { translator } from '@closeloop/contracts';
import { testRouting, snapshot, TICKET_ID } from '../../test/fixtures';
import { MESSAGE_CALLBACK_ID, MESSAGE_INPUTS, messageModal, pickableTemplates, readMessageSubmission } from './message-modal';

const templates = {
  apology: {
    en: { sms: 'Hi {{customer.name}}, this is {{agent.name}}. Sorry about your {{touchpoint}} visit.' },
    tr: { sms: 'Merhaba {{customer.name}}, ben {{agent.name}}. {{touchpoint}} ziyaretiniz için özür dileriz.' },
  },
  fixed: { en: { sms: 'Hi {{customer.name}}, we fixed it. Ticket {{ticket.id}}.' } },
  recheck: { en: { sms: 'How are we doing now? {{recheckUrl}}' } },
};

describe('Message customer modal', () => {
  it('previews each pickable template in the customer’s language with the agent’s name; never the recheck', () => {
    expect(pickableTemplates(templates, snapshot({ locale: 'tr-TR', customerName: 'Deniz', touchpoint: 'dine-in' }), 'Ayşe Yılmaz')).toEqual([
      { name: 'apology', locale: 'tr', text: 'Merhaba Deniz, ben Ayşe Yılmaz. dine-in ziyaretiniz için özür dileriz.' },
      { name: 'fixed', locale: 'en', text: `Hi Deniz, we fixed it. Ticket ${TICKET_ID}.` },
    ]);
  });

  it('a template that cannot render for this customer (no name) is not offered', () => {
    expect(pickableTemplates(templates, snapshot({ customerName: undefined }), 'Ayşe').map((t) => t.name)).toEqual([]);
  });

  it('is a modal with the template picker, the previews and a text box, carrying the ticket and response_url', () => {
    const view = messageModal({ ticketId: TICKET_ID, responseUrl: 'https://hooks.slack.com/actions/1' }, templates, 'Ayşe Yılmaz', snapshot({ locale: 'tr' }), translator('en'));
    expect(view).toMatchObject({ type: 'modal', callback_id: MESSAGE_CALLBACK_ID, submit: { text: 'Send' } });
    expect(JSON.parse(String(view.private_metadata))).toEqual({ ticketId: TICKET_ID, responseUrl: 'https://hooks.slack.com/actions/1' });
    const picker = view.blocks.find((b) => b.block_id === MESSAGE_INPUTS.template.block) as { element: { options: { value: string }[] } };
    expect(picker.element.options.map((o) => o.value)).toEqual(['apology', 'fixed']);
    expect(JSON.stringify(view.blocks)).toContain('Merhaba Deniz, ben Ayşe Yılmaz.');
    expect(view.blocks.some((b) => b.block_id === MESSAGE_INPUTS.body.block)).toBe(true);
  });

  it('works from the routing file the services load', () => {
    const routing = testRouting();
    expect(() => messageModal({ ticketId: TICKET_ID }, routing.templates, 'Ayşe', snapshot(), translator('en'))).not.toThrow();
  });

  const values = (template?: string, body?: string) => ({
    [MESSAGE_INPUTS.template.block]: { [MESSAGE_INPUTS.template.action]: { selected_option: template ? { value: template } : null } },
    [MESSAGE_INPUTS.body.block]: { [MESSAGE_INPUTS.body.action]: { value: body ?? null } },
  });
  it.each([
    ['a template', values('apology'), { ok: true, template: 'apology' }],
    ['a text', values(undefined, '  We refunded you.  '), { ok: true, body: 'We refunded you.' }],
    ['neither', values(), { ok: false, block: 'message_body', message: 'Pick a template or write a message' }],
    ['both', values('apology', 'x'), { ok: false, block: 'message_body', message: 'Pick a template or write a message, not both' }],
    ['a template gone from the file', values('old'), { ok: false, block: 'message_template', message: 'That template is no longer in the routing file' }],
    ['the recheck', values('recheck'), { ok: false, block: 'message_template', message: 'The recheck is sent by resolving the ticket with a recheck' }],
    ['a text too long', values(undefined, 'x'.repeat(1_601)), { ok: false, block: 'message_body', message: 'Keep the message under 1600 characters' }],
  ])('submission with %s', (_name, v, expected) => {
    expect(readMessageSubmission(v, templates, translator('en'))).toEqual(expected);
  });
});
