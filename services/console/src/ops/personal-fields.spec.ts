import { maskPersonalFields } from './personal-fields';

describe('maskPersonalFields (dead letters for viewers who are not admin)', () => {
  it.each([
    [
      'a ticket event: customer name, comment, and the note an agent wrote',
      { type: 'ticket.note_added', data: { ticket: { id: 't1', customerId: 'c-42', customerName: 'Deniz Yılmaz', comment: 'Garson çok kaba', score: 3 }, note: 'Aradım' } },
      { type: 'ticket.note_added', data: { ticket: { id: 't1', customerId: 'c-42', customerName: '‹hidden: 12 characters›', comment: '‹hidden: 15 characters›', score: 3 }, note: '‹hidden: 6 characters›' } },
    ],
    [
      'contact details keep their shape, not who',
      { data: { feedback: { customer: { id: 'c-1', name: '陈伟', email: 'deniz.yilmaz@example.com', phone: '+905551234567', locale: 'tr' } } } },
      { data: { feedback: { customer: { id: 'c-1', name: '‹hidden: 2 characters›', email: 'd***@example.com', phone: '+90555***4567', locale: 'tr' } } } },
    ],
    [
      'a message to the customer: body, subject and recipient',
      { data: { message: { body: 'שלום', subject: 'Sorry', recipient: { phone: '+972501234567' } } } },
      { data: { message: { body: '‹hidden: 4 characters›', subject: '‹hidden: 5 characters›', recipient: { phone: '+97250***4567' } } } },
    ],
  ])('%s', (_, input, expected) => {
    expect(JSON.parse(maskPersonalFields(JSON.stringify(input)))).toEqual(expected);
  });

  it('withholds a payload that is not JSON whole', () => {
    expect(maskPersonalFields('Deniz +905551234567 {')).toBe('‹not JSON, 21 bytes: shown to admins only›');
  });

  it('keeps ids, types, scores and reasons readable', () => {
    const e = { eventId: 'e1', type: 'feedback.scored', data: { feedbackId: 'f1', severity: 'critical', reasons: [{ rule: 'keyword', detail: 'critical keyword' }] } };
    expect(JSON.parse(maskPersonalFields(JSON.stringify(e)))).toEqual(e);
  });
});
