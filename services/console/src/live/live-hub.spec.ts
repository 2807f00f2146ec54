import { LiveClient, LiveHub, MAX_STREAMS_PER_AGENT, SLOW_CLIENT_MS } from './live-hub';

function client(agentId: string) {
  const c = { agentId, chunks: [] as string[], full: false, ended: false, destroyed: false } as LiveClient & { chunks: string[]; full: boolean; ended: boolean; destroyed: boolean };
  c.write = (chunk: string) => (c.chunks.push(chunk), !c.full);
  c.end = () => void (c.ended = true);
  c.destroy = () => void (c.destroyed = true);
  return c;
}

describe('LiveHub', () => {
  let hub: LiveHub;
  let now = 0;
  beforeEach(() => {
    hub = new LiveHub();
    hub.now = () => now;
  });
  afterEach(() => hub.onApplicationShutdown());

  it(`takes ${MAX_STREAMS_PER_AGENT} streams per agent, then refuses until one closes`, () => {
    const removes = Array.from({ length: MAX_STREAMS_PER_AGENT }, () => hub.add(client('ayse')));
    expect(removes.every(Boolean)).toBe(true);
    expect(hub.add(client('ayse'))).toBeNull();
    expect(hub.add(client('mehmet'))).not.toBeNull();
    removes[0]?.();
    expect(hub.add(client('ayse'))).not.toBeNull();
  });

  it('stops writing to a client whose socket is full, resumes after drain, and closes it when it stays blocked', () => {
    const slow = client('ayse');
    const fast = client('mehmet');
    hub.add(slow);
    hub.add(fast);
    slow.full = true;
    hub.broadcast('ticket', { n: 1 }); // accepted into the full buffer: write() said false
    hub.broadcast('ticket', { n: 2 }); // not written: nothing piles up behind a reader that does not read
    expect(slow.chunks.filter((c) => c.startsWith('event: ticket'))).toHaveLength(1);
    expect(fast.chunks.filter((c) => c.startsWith('event: ticket'))).toHaveLength(2);

    slow.full = false;
    hub.drained(slow);
    hub.broadcast('ticket', { n: 3 });
    expect(slow.chunks.at(-1)).toContain('"n":3');

    slow.full = true;
    hub.broadcast('ticket', { n: 4 });
    now += SLOW_CLIENT_MS - 1;
    hub.broadcast('ticket', { n: 5 });
    expect([slow.destroyed, hub.size]).toEqual([false, 2]);
    now += 1;
    hub.broadcast('ticket', { n: 6 });
    // destroyed, not ended: end() would wait behind the unread buffer and keep the socket open, outside the cap
    expect([slow.destroyed, slow.ended, hub.size, fast.destroyed, fast.ended]).toEqual([true, false, 1, false, false]);
    expect(fast.chunks.filter((c) => c.startsWith('event: ticket'))).toHaveLength(6);
  });

  it('drops a client whose write throws', () => {
    const broken = client('ayse');
    hub.add(broken);
    broken.write = () => {
      throw new Error('socket gone');
    };
    hub.broadcast('ticket', {});
    expect(hub.size).toBe(0);
  });
});
