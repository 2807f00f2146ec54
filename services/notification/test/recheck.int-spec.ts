import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { feedbackIdFor, type TicketEventData } from '@closeloop/contracts';
import { RecheckLinks } from '../src/recheck/recheck-links';
import { ticketEvent } from './fixtures';
import { startHarness, until, type NotificationHarness } from './harness';

/**
 * The recheck page (SPEC §11) over HTTP, in-process notification, real Postgres and Kafka: the link's page in the
 * customer's language, the answer published once as feedback from `closeloop-recheck`, and every bad link or answer
 * refused with its reason and nothing published.
 */
describe('notification: the recheck page (real Kafka, Postgres)', () => {
  let h: NotificationHarness;
  let links: RecheckLinks;

  beforeAll(async () => {
    h = await startHarness('recheck');
    links = new RecheckLinks(h.schema);
  });
  afterAll(() => h?.close());

  const issue = (over: { locale?: string; ttlMs?: number; customerId?: string } = {}) =>
    links.issue(h.ds, { ticketId: `t-${randomBytes(4).toString('hex')}`, customerId: over.customerId ?? 'c-recheck', touchpoint: 'dine-in', ...(over.locale ? { locale: over.locale } : {}) }, new Date(), over.ttlMs);
  const get = async (token: string) => {
    const res = await fetch(`${h.baseUrl}/r/${token}`);
    return { status: res.status, html: await res.text(), headers: res.headers };
  };
  const answer = async (token: string, body: string) => {
    const res = await fetch(`${h.baseUrl}/r/${token}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
    return { status: res.status, html: await res.text() };
  };
  const published = async () => {
    await h.quiet();
    return (await h.feedback(0)).map((f) => f.event);
  };

  it('a Hebrew customer gets the question right to left, eleven choices, a form without JavaScript, and a page nobody caches or refers on', async () => {
    const { token } = await issue({ locale: 'he-IL' });
    const page = await get(token);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
    expect(page.html).toContain('<html lang="he" dir="rtl">');
    expect(page.html).toContain('איך אנחנו עכשיו?');
    expect(page.html.match(/<input type="radio" name="score" value="(\d+)"/g)?.map((m) => Number(/value="(\d+)"/.exec(m)?.[1]))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(page.html).toContain('<form method="post">');
    expect(page.html).not.toMatch(/<script/i);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('answer 9 → thanks in Turkish, one feedback.received from closeloop-recheck (NPS 9, same customer and touchpoint); the link is used up', async () => {
    const before = (await published()).length;
    const link = await issue({ locale: 'tr', customerId: 'c-ayse' });
    const res = await answer(link.token, 'score=9');
    expect(res.status).toBe(200);
    expect(res.html).toContain('Teşekkürler! Yanıtınız kaydedildi.');

    const events = (await published()).slice(before);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'feedback.received',
      producer: 'notification',
      eventId: feedbackIdFor('closeloop-recheck', link.id),
      data: { source: 'closeloop-recheck', externalId: link.id, touchpoint: 'dine-in', metric: 'nps', score: 9, customer: { id: 'c-ayse', locale: 'tr' }, revision: 1 },
    });
    expect((await h.feedback(before + 1))[before].key).toBe('c-ayse');

    const again = await answer(link.token, 'score=2');
    expect(again.status).toBe(409);
    expect(again.html).toContain('Bu soru zaten yanıtlandı');
    expect((await get(link.token)).status).toBe(409);
    expect((await published()).length).toBe(before + 1);
  });

  it('a recheck message from tickets (ADR 0018): its link is recorded once, by hash, before the SMS goes, and the page answers it', async () => {
    const token = randomBytes(32).toString('base64url');
    const ticketId = randomUUID();
    const link = {
      id: randomUUID(), tokenHash: createHash('sha256').update(token).digest('hex'), expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      touchpoint: 'dine-in', customerId: 'c-recheck-msg', locale: 'tr',
    };
    const data = {
      actor: { kind: 'system', id: 'tickets' }, ticket: { id: ticketId },
      message: {
        id: randomUUID(), channel: 'sms', body: `Bizi şimdi önerir misiniz? https://cl.example/r/${token}`, template: 'recheck', locale: 'tr',
        recipient: { customerId: 'c-recheck-msg', phone: '+905551239876' }, recheck: link,
      },
    } as Partial<TicketEventData>;
    const ev = ticketEvent('ticket.customer_message_requested', data);
    await h.publish(ev, ev, ticketEvent('ticket.customer_message_requested', data)); // redelivered, and replayed under a new eventId
    await h.quiet();
    const rows = await h.ds.query(`SELECT id, token_hash, ticket_id, customer_id, touchpoint, locale FROM "${h.schema}".recheck_link WHERE ticket_id = $1`, [ticketId]);
    expect(rows).toEqual([{ id: link.id, token_hash: link.tokenHash, ticket_id: ticketId, customer_id: 'c-recheck-msg', touchpoint: 'dine-in', locale: 'tr' }]);
    expect(JSON.stringify(rows)).not.toContain(token);
    await until(async () => h.twilio.requests.some((r) => r.method === 'POST' && r.To === '+905551239876') || undefined, 'the recheck SMS');

    const before = (await published()).length;
    expect((await get(token)).html).toContain('lang="tr"');
    expect((await answer(token, 'score=9')).status).toBe(200);
    expect((await answer(token, 'score=9')).status).toBe(409);
    const events = (await published()).slice(before);
    expect(events).toHaveLength(1);
    expect(events[0].data).toMatchObject({ source: 'closeloop-recheck', externalId: link.id, score: 9, attributes: { ticketId } });
  });

  it('five answers at once to one link: one is recorded, four are told it was answered', async () => {
    const before = (await published()).length;
    const link = await issue();
    const results = await Promise.all([0, 3, 6, 8, 10].map((n) => answer(link.token, `score=${n}`)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
    expect((await published()).length).toBe(before + 1);
  });

  it.each([
    ['no score', ''],
    ['a score above 10', 'score=11'],
    ['a score that is not a number', 'score=nine'],
    ['a decimal score', 'score=7.5'],
  ])('%s → 400 with the question again, nothing published, the link still good', async (_name, body) => {
    const before = (await published()).length;
    const link = await issue({ locale: 'zh-CN' });
    const res = await answer(link.token, body);
    expect(res.status).toBe(400);
    expect(res.html).toContain('请选择 0 到 10 之间的数字。');
    expect(res.html).toContain('<form method="post">');
    expect((await published()).length).toBe(before);
    expect((await answer(link.token, 'score=0')).status).toBe(200);
  });

  it('an expired link → 410 on the page and on an answer; a link we never issued → 404; nothing published', async () => {
    const before = (await published()).length;
    const expired = await issue({ locale: 'id', ttlMs: -1 });
    expect(await get(expired.token)).toMatchObject({ status: 410, html: expect.stringContaining('Tautan ini sudah kedaluwarsa.') });
    expect((await answer(expired.token, 'score=9')).status).toBe(410);
    for (const forged of [randomBytes(32).toString('base64url'), 'short', `${'A'.repeat(43)}'--`]) {
      expect(await get(encodeURIComponent(forged))).toMatchObject({ status: 404, html: expect.stringContaining('This link is not valid.') });
      expect((await answer(encodeURIComponent(forged), 'score=9')).status).toBe(404);
    }
    expect((await published()).length).toBe(before);
  });

});
