/**
 * The chaos checker's own rules: which instance sent a Slack call, what an alert shows, which failures are explained,
 * the seeded plan — and the fault that once killed every notification instance when it meant the one that posted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { startSlackStub, type SlackStub } from '@closeloop/testing';
import { CHAOS_MAILBOX, emailsNotExactlyOnce, explainFailure, instanceOfUserAgent, seededRandom, showsOlderStatus, smsNotExactlyOnce, statusShown, threadMismatch, titleOf, type DeliveryRow } from './harness';
import { killSenderOfNextAlert } from './faults';
import { verdict } from './run';

describe('instanceOfUserAgent', () => {
  const instances = ['notification#0', 'notification#1', 'notification#10'].map((id) => ({ id, title: titleOf(id) }));
  it.each([
    ['@slack:web-api/8.2.0 closeloop-chaos-notification-1/20.19.0 linux/6.8.0', 'notification#1'],
    ['@slack:web-api/8.2.0 closeloop-chaos-notification-10/20.19.0 linux/6.8.0', 'notification#10'],
    ['@slack:web-api/8.2.0 closeloop-chaos-notification-0/22.1.0 linux/6.8.0', 'notification#0'],
    ['@slack:web-api/8.2.0 node/20.19.0 linux/6.8.0', undefined],
    [undefined, undefined],
  ])('%s → %s', (ua, id) => {
    expect(instanceOfUserAgent(instances, ua)).toBe(id);
  });
});

describe('statusShown', () => {
  const ctx = (text: string) => [{ type: 'context', elements: [{ type: 'mrkdwn', text }] }];
  it.each([
    [ctx('*Open* · not claimed yet  ·  ⏰ First response …'), 'open'],
    [ctx('🙋 *Claimed by Ayşe Yılmaz*  ·  ⏰ Resolve …'), 'claimed'],
    [ctx('✅ *Resolved* by Ayşe Yılmaz · root cause: other'), 'resolved'],
    [[], '?'],
    [undefined, '?'],
  ])('%j → %s', (blocks, status) => {
    expect(statusShown(blocks)).toBe(status);
  });
});

describe('explainFailure', () => {
  const row = (patch: Partial<DeliveryRow>): DeliveryRow => ({
    id: 'd', ticket_id: 't', purpose: 'sms', channel: 'sms', recipient: '+1', status: 'failed', last_error: 'x', last_error_code: '21610',
    provider_id: null, snapshot_version: 1, body: 'b', message_id: null, ...patch,
  });
  const rules = [{ purpose: 'sms', channel: 'sms', code: '21610', why: 'scripted 21610' }];
  it.each([
    ['a scripted permanent SMS error', row({}), undefined, 'scripted 21610'],
    ['the same code on another purpose', row({ purpose: 'alert', channel: 'slack' }), undefined, undefined],
    ['a retryable error that ran out of attempts', row({ last_error_code: 'http_500' }), undefined, undefined],
    ['a reply whose alert failed for an explained reason', row({ purpose: 'thread_reply', channel: 'slack', last_error_code: 'alert_failed' }), 'scripted', 'its alert failed: scripted'],
    ['a reply whose alert failed for no known reason', row({ purpose: 'thread_reply', channel: 'slack', last_error_code: 'alert_failed' }), undefined, undefined],
  ])('%s', (_what, d, alertFailure, why) => {
    expect(explainFailure(d, rules, alertFailure)).toBe(why);
  });
});

describe('smsNotExactlyOnce', () => {
  const T = '3f0c2a9e-1111-4222-8333-944445555666';
  const body = `Closeloop CRITICAL: NPS 1/10 at tp0 … http://127.0.0.1:3000/tickets/${T}`;
  const sms = (patch: Partial<DeliveryRow>): DeliveryRow => ({
    id: 'd1', ticket_id: T, purpose: 'sms', channel: 'sms', recipient: '+905551112200', status: 'sent', last_error: null, last_error_code: null,
    provider_id: 'SM1', snapshot_version: 1, body, message_id: null, ...patch,
  });
  const msg = (sid: string, to = '+905551112200', text = body) => ({ sid, to, body: text });
  it.each([
    ['sent once', [sms({})], [msg('SM1')], []],
    ['failed for good, never in Twilio', [sms({ status: 'failed', provider_id: null, last_error_code: '21610' })], [], []],
    ['two numbers, once each', [sms({}), sms({ id: 'd2', recipient: '+905551112201', provider_id: 'SM2' })], [msg('SM1'), msg('SM2', '+905551112201')], []],
    ['sent twice', [sms({})], [msg('SM1'), msg('SM9')], ['sent more often than recorded']],
    ['recorded sent, missing', [sms({})], [], ['recorded sent, not in Twilio']],
    ['nobody planned it', [], [msg('SM1')], ['an SMS nobody planned']],
    ['recorded with another sid', [sms({ provider_id: 'SM7' })], [msg('SM1')], ['recorded with a message sid Twilio does not have']],
  ])('%s', (_what, rows, messages, problems) => {
    const found = smsNotExactlyOnce(rows, messages);
    expect(found.map((f) => f.problem)).toEqual(problems);
    for (const f of found) expect(f.to).not.toContain('1112200'); // numbers masked in the report
  });
});

describe('threadMismatch', () => {
  const reply = (v: number, ts: string, status = 'sent') => ({ status, provider_id: status === 'sent' ? ts : null, snapshot_version: v });
  it.each([
    ['one reply per event, in order', [reply(2, '1.2'), reply(3, '1.3')], ['1.2', '1.3'], undefined],
    ['skipped and failed replies are not in the thread', [reply(2, '1.2'), reply(3, '', 'skipped')], ['1.2'], undefined],
    ['a reply posted twice', [reply(2, '1.2')], ['1.2', '1.25'], '2 replies in Slack, 1 recorded sent'],
    ['a reply missing', [reply(2, '1.2'), reply(3, '1.3')], ['1.2'], '1 replies in Slack, 2 recorded sent'],
    ['replies out of the order of their events', [reply(2, '1.3'), reply(3, '1.2')], ['1.2', '1.3'], 'replies in Slack are not the recorded ones in the order of their events'],
  ])('%s', (_what, replies, thread, problem) => {
    expect(threadMismatch(replies, thread.map((ts) => ({ ts })))).toBe(problem);
  });
});

describe('showsOlderStatus', () => {
  it.each([
    [['open', 'claimed', 'claimed', 'resolved'], false],
    [[], false],
    [['claimed', 'open'], true],
    [['resolved', 'claimed'], true],
  ])('%j → %s', (shown, back) => {
    expect(showsOlderStatus(shown)).toBe(back);
  });
});

describe('seededRandom', () => {
  it('plans the same numbers for the same seed, other numbers for another', () => {
    const take = (seed: number) => Array.from({ length: 5 }, seededRandom(seed));
    expect(take(42)).toEqual(take(42));
    expect(take(42)).not.toEqual(take(43));
    expect(take(7).every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('SIGKILL between a Slack post and its record', () => {
  let slack: SlackStub;
  const children = new Map<string, ChildProcess>();
  beforeAll(async () => {
    slack = await startSlackStub({ token: 'xoxb-chaos' });
  });
  afterEach(() => {
    for (const c of children.values()) c.kill('SIGKILL');
    children.clear();
  });
  afterAll(() => slack.close());

  /** A process titled like a chaos instance that posts one top-level alert through the real Slack SDK. */
  function poster(id: string, title = titleOf(id)): ChildProcess {
    const script = `new (require('@slack/web-api').WebClient)('xoxb-chaos', { slackApiUrl: ${JSON.stringify(slack.url)}, retryConfig: { retries: 0 } })
      .chat.postMessage({ channel: 'C0CHAOS0', text: 'alert', metadata: { event_type: 'closeloop_alert', event_payload: { ticket_id: ${JSON.stringify(id)} } } })
      .then(() => setTimeout(() => {}, 60000), () => {})`;
    const child = spawn(process.execPath, [`--title=${title}`, '-e', script], { cwd: process.cwd(), stdio: 'ignore' });
    children.set(id, child);
    return child;
  }

  const stackOf = (ids: string[]) => {
    const killed: string[] = [];
    return {
      killed,
      stack: {
        of: () => ids.map((id) => ({ id, title: titleOf(id) })) as never,
        killNow: (id: string) => {
          killed.push(id);
          children.get(id)?.kill('SIGKILL');
        },
      },
    };
  };

  it('kills exactly the instance that posted, never the others', async () => {
    const { stack, killed } = stackOf(['notification#0', 'notification#1']);
    const kill = killSenderOfNextAlert(stack, slack, { loseAnswer: true, timeoutMs: 20_000 });
    poster('notification#1');
    const { sender, posted } = await kill;
    expect(sender).toBe('notification#1');
    expect(killed).toEqual(['notification#1']);
    expect(posted.form.metadata.event_payload.ticket_id).toBe('notification#1');
  });

  it('refuses to guess when the post names no instance', async () => {
    const { stack, killed } = stackOf(['notification#0', 'notification#1']);
    const kill = killSenderOfNextAlert(stack, slack, { loseAnswer: false, timeoutMs: 20_000 });
    poster('stranger', 'node');
    await expect(kill).rejects.toThrow(/cannot tell which notification instance posted/);
    expect(killed).toEqual([]);
  });
});

describe('verdict (the exit code of npm run test:chaos)', () => {
  const good = { inv: { ok: true }, quiet: { reached: true }, faults: [{ fault: 'SIGKILL scoring#0' }], load: { problems: [], unaccepted: 0 }, unexpectedExits: [] };
  it.each([
    ['everything held', {}, []],
    ['an invariant', { inv: { ok: false } }, ['an invariant is violated']],
    ['no quiescence', { quiet: { reached: false } }, ['the pipeline did not become quiet']],
    ['a fault that failed', { faults: [{ fault: 'f', error: 'boom' }] }, ['fault "f" failed: boom']],
    ['feedback never accepted', { load: { problems: [], unaccepted: 3 } }, ['3 feedback never accepted (retries left)']],
    ['an unexpected exit', { unexpectedExits: [{ at: 1, instance: 'notification#1', pid: 42, code: null, signal: 'SIGKILL' }] }, ['notification#1 exited without being killed (pid 42, code null, signal SIGKILL)']],
  ])('%s', (_what, patch, violations) => {
    expect(verdict({ ...good, ...patch } as Parameters<typeof verdict>[0])).toEqual(violations);
  });
});

describe('emailsNotExactlyOnce', () => {
  const T = '3f0c2a9e-1111-4222-8333-944445555666';
  const U = '4a1d3b0f-2222-4333-8444-a55556666777';
  const root = (t: string) => `<ticket.${t}@chaos.example>`;
  const mail = (messageId: string) => ({ messageId, rcptTo: [CHAOS_MAILBOX] });
  const sent = (messageId: string, ticketId = T) => ({ ticket_id: ticketId, status: 'sent', message_id: messageId });
  const tickets = [{ id: T, touchpoint: 'tp0' }, { id: U, touchpoint: 'tp1' }];
  it.each([
    ['each recorded email in the mailbox once', [sent(root(T)), sent('<ticket.x.e1@chaos.example>')], [mail(root(T)), mail('<ticket.x.e1@chaos.example>')], []],
    ['one resent under its own Message-ID: still one message', [sent(root(T))], [mail(root(T)), mail(root(T))], []],
    ['recorded sent, never received', [sent(root(T)), sent('<r2>')], [mail(root(T))], [{ ticketId: T, messageId: '<r2>', problem: 'recorded sent, not in the mailbox' }]],
    ['received, never recorded', [sent(root(T))], [mail(root(T)), mail(`<ticket.${U}@chaos.example>`)], [
      { ticketId: U, messageId: `<ticket.${U}@chaos.example>`, problem: 'in the mailbox, not recorded sent' },
    ]],
    ['a tp0 ticket that never started its thread', [], [], [{ ticketId: T, messageId: `<ticket.${T}@…>`, problem: '0 thread starts in the mailbox' }]],
  ])('%s', (_what, rows, box, problems) => {
    expect(emailsNotExactlyOnce(rows, box, tickets)).toEqual(problems);
  });
});
