import { translator, type Locale } from '@closeloop/contracts';
import { renderRedacted } from './redacted-message';

const TICKET = '7f2c1a9e-1111-4222-8333-444455556666';

describe('renderRedacted', () => {
  it.each<[Locale, 'alert' | 'reply', string, string]>([
    ['en', 'alert', '🗑️ This alert was erased at the customer\'s request.', 'Ticket <http://console.test/tickets/7f2c1a9e-1111-4222-8333-444455556666|7f2c1a9e>'],
    ['en', 'reply', '🗑️ This message was erased at the customer\'s request.', 'Ticket <http://console.test/tickets/7f2c1a9e-1111-4222-8333-444455556666|7f2c1a9e>'],
    ['tr', 'alert', '🗑️ Bu uyarı müşterinin isteği üzerine silindi.', 'Talep <http://console.test/tickets/7f2c1a9e-1111-4222-8333-444455556666|7f2c1a9e>'],
    ['zh', 'reply', '🗑️ 应客户要求，此消息已被删除。', '工单 <http://console.test/tickets/7f2c1a9e-1111-4222-8333-444455556666|7f2c1a9e>'],
    ['id', 'alert', '🗑️ Peringatan ini dihapus atas permintaan pelanggan.', 'Tiket <http://console.test/tickets/7f2c1a9e-1111-4222-8333-444455556666|7f2c1a9e>'],
  ])('%s %s: the erased notice and the ticket link, nothing else', (locale, role, said, ticket) => {
    const m = renderRedacted(role, TICKET, 'http://console.test', translator(locale));
    expect(m).toEqual({
      text: said,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: said } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: ticket }] },
      ],
    });
  });

  it('he: the notice in Hebrew, the link kept', () => {
    const m = renderRedacted('alert', TICKET, 'http://console.test', translator('he'));
    expect(m.text).toContain('התראה זו נמחקה לבקשת הלקוח');
    expect(JSON.stringify(m.blocks)).toContain('http://console.test/tickets/7f2c1a9e-1111-4222-8333-444455556666');
  });
});
