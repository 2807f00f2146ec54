import { KafkaUnavailableError } from '@closeloop/messaging';
import { CoalescingSender, ackWithin, chunkBySize } from './coalescing-sender';

describe('ackWithin', () => {
  it('passes the acknowledgement through', async () => {
    await expect(ackWithin(Promise.resolve('acked'), 1_000)).resolves.toBe('acked');
  });

  it('passes a send failure through', async () => {
    await expect(ackWithin(Promise.reject(new KafkaUnavailableError('broker gone')), 1_000)).rejects.toThrow('broker gone');
  });

  it('gives up after the timeout with KafkaUnavailableError (the request becomes a 503)', async () => {
    const err: unknown = await ackWithin(new Promise(() => undefined), 50).catch((e) => e);
    expect(err).toBeInstanceOf(KafkaUnavailableError);
    expect((err as Error).message).toBe('no acknowledgement within 50 ms');
  });

  it('does not leave an unhandled rejection when the send fails after the timeout', async () => {
    let fail!: (e: Error) => void;
    const late = new Promise<never>((_, reject) => (fail = reject));
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      await expect(ackWithin(late, 10)).rejects.toBeInstanceOf(KafkaUnavailableError);
      fail(new Error('late failure'));
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});

describe('chunkBySize', () => {
  const m = (bytes: number) => ({ bytes });

  it.each<[number[], number, number[][]]>([
    [[], 1000, []],
    [[100, 100, 100], 1000, [[100, 100, 100]]],
    [[300, 300, 300], 1000, [[300, 300], [300]]], // 128 bytes of record overhead each
    [[2000, 10], 1000, [[2000], [10]]], // larger than a chunk: sent alone
    [[10, 2000, 10], 1000, [[10], [2000], [10]]],
  ])('%j with limit %p → %j', (sizes, limit, expected) => {
    expect(chunkBySize(sizes.map(m), limit).map((c) => c.map((x) => x.bytes))).toEqual(expected);
  });

  it('keeps a full 500-item batch of ordinary feedback in one produce call', () => {
    expect(chunkBySize(Array.from({ length: 500 }, () => m(1_500)))).toHaveLength(1);
  });
});

/** A send function whose calls the test completes by hand (the producer's role, without Kafka). */
function controlledSend() {
  const calls: { ids: string[]; ack: () => void; fail: (e: Error) => void }[] = [];
  const send = (messages: { id: string; bytes: number }[]) =>
    new Promise<void>((ack, fail) => calls.push({ ids: messages.map((x) => x.id), ack, fail }));
  return { calls, send };
}
const msg = (id: string, bytes = 10) => ({ id, bytes });
const tick = () => new Promise((r) => setImmediate(r));

describe('CoalescingSender', () => {
  it('sends at once when idle, and groups the requests that arrive while a send is in flight', async () => {
    const { calls, send } = controlledSend();
    const s = new CoalescingSender(send, 5_000);
    const first = s.submit([msg('a')]);
    await tick();
    expect(calls.map((c) => c.ids)).toEqual([['a']]);
    const second = s.submit([msg('b'), msg('c')]);
    const third = s.submit([msg('d')]);
    await tick();
    expect(calls).toHaveLength(1); // b, c, d wait for a's acknowledgement
    calls[0].ack();
    await first;
    await tick();
    expect(calls.map((c) => c.ids)).toEqual([['a'], ['b', 'c', 'd']]);
    let secondDone = false;
    void second.then(() => (secondDone = true));
    await tick();
    expect(secondDone).toBe(false); // answered only after its own acknowledgement
    calls[1].ack();
    await Promise.all([second, third]);
  });

  it('fails every request of a failed send, and carries on with the next ones', async () => {
    const { calls, send } = controlledSend();
    const s = new CoalescingSender(send, 5_000);
    const a = s.submit([msg('a')]);
    await tick();
    const b = s.submit([msg('b')]);
    const c = s.submit([msg('c')]);
    calls[0].ack();
    await a;
    await tick();
    calls[1].fail(new KafkaUnavailableError('not enough replicas'));
    await expect(b).rejects.toThrow('not enough replicas');
    await expect(c).rejects.toThrow('not enough replicas');
    const d = s.submit([msg('d')]);
    await tick();
    calls[2].ack();
    await d;
    expect(calls.map((x) => x.ids)).toEqual([['a'], ['b', 'c'], ['d']]);
  });

  it('answers 503 after the timeout; a request that expired while queued is never sent', async () => {
    const { calls, send } = controlledSend();
    const s = new CoalescingSender(send, 50, 600); // 600 bytes: q1 and q2 cannot share a send
    const stuck = s.submit([msg('stuck')]); // Kafka never answers
    await tick();
    const q1 = s.submit([msg('q1', 400)]);
    const q2 = s.submit([msg('q2', 400)]);
    for (const p of [stuck, q1, q2]) await expect(p).rejects.toThrow('no acknowledgement within 50 ms');
    await new Promise((r) => setTimeout(r, 80)); // the send of q1 (started when stuck's send timed out) times out too
    const next = s.submit([msg('next')]);
    await tick();
    calls[calls.length - 1].ack();
    await next;
    // q1 was already on the wire when it expired (it may still be acknowledged: the client resubmits, same eventId);
    // q2 expired in the queue and was dropped
    expect(calls.map((x) => x.ids)).toEqual([['stuck'], ['q1'], ['next']]);
  });

  it('keeps each produce call under the size limit', async () => {
    const { calls, send } = controlledSend();
    const s = new CoalescingSender(send, 5_000, 1_200);
    const first = s.submit([msg('a')]);
    await tick();
    // 400 bytes + 128 of record overhead each: two fit in 1,200 bytes, three do not
    const rest = [s.submit([msg('b', 400)]), s.submit([msg('c', 400)]), s.submit([msg('d', 400)])];
    calls[0].ack();
    await first;
    await tick();
    calls[1].ack();
    await tick();
    calls[2].ack();
    await Promise.all(rest);
    expect(calls.map((x) => x.ids)).toEqual([['a'], ['b', 'c'], ['d']]);
  });

  it('splits one request bigger than the limit into several sends, answered after the last', async () => {
    const { calls, send } = controlledSend();
    const s = new CoalescingSender(send, 5_000, 1_200);
    let done = false;
    const big = s.submit([msg('a', 400), msg('b', 400), msg('c', 400)]).then(() => (done = true));
    await tick();
    calls[0].ack();
    await tick();
    expect(done).toBe(false);
    calls[1].ack();
    await big;
    expect(calls.map((x) => x.ids)).toEqual([['a', 'b'], ['c']]);
  });
});
