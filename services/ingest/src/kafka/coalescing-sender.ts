import { KafkaUnavailableError } from '@closeloop/messaging';

export interface Sized {
  bytes: number;
}

/** kafkajs puts every message for one partition into one record batch: keep each produce call under the broker's 1 MiB. */
export const MAX_SEND_BYTES = 900_000;
/** Per-message allowance for key, headers and record framing when sizing a send. */
const RECORD_OVERHEAD_BYTES = 128;
const costOf = (m: Sized) => m.bytes + RECORD_OVERHEAD_BYTES;

interface Waiting<M> {
  messages: M[];
  bytes: number;
  settled: boolean;
  timer: NodeJS.Timeout;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Resolves with `sending`, or rejects with KafkaUnavailableError when it has not settled within `ms`. */
export async function ackWithin<T>(sending: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      sending,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new KafkaUnavailableError(`no acknowledgement within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Groups concurrent requests into one produce call. The idempotent producer has one request in flight at a time,
 * so one-send-per-HTTP-request caps ingest at one round trip per request (a few hundred a second). Here, while a
 * send is in flight, the next requests wait and then leave together: no added latency when idle, and throughput
 * that grows with load. Each caller is answered only when its own messages were acknowledged.
 *
 * A group holds requests up to `maxBytes` (a single bigger request goes alone, in several sends). A caller that
 * waited `timeoutMs` is rejected with KafkaUnavailableError (its 503) and, if its messages were not sent yet,
 * they are dropped from the queue: nothing is published for a request that was told it failed, unless it was
 * already on the wire.
 */
export class CoalescingSender<M extends Sized> {
  private readonly queue: Waiting<M>[] = [];
  private draining = false;

  constructor(
    private readonly send: (messages: M[]) => Promise<void>,
    private readonly timeoutMs: number,
    private readonly maxBytes = MAX_SEND_BYTES,
  ) {}

  submit(messages: M[]): Promise<void> {
    if (!messages.length) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const w: Waiting<M> = {
        messages, bytes: messages.reduce((n, m) => n + costOf(m), 0), settled: false, resolve, reject,
        timer: setTimeout(() => this.settle(w, new KafkaUnavailableError(`no acknowledgement within ${this.timeoutMs} ms`)), this.timeoutMs),
      };
      this.queue.push(w);
      if (!this.draining) void this.drain();
    });
  }

  private settle(w: Waiting<M>, err?: Error): void {
    if (w.settled) return;
    w.settled = true;
    clearTimeout(w.timer);
    if (err) w.reject(err);
    else w.resolve();
  }

  private nextGroup(): Waiting<M>[] {
    const group: Waiting<M>[] = [];
    let bytes = 0;
    while (this.queue.length) {
      const w = this.queue[0];
      if (w.settled) {
        this.queue.shift(); // its caller gave up: do not publish what was answered 503
        continue;
      }
      if (group.length && bytes + w.bytes > this.maxBytes) break;
      group.push(this.queue.shift() as Waiting<M>);
      bytes += w.bytes;
    }
    return group;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (let group = this.nextGroup(); group.length; group = this.nextGroup()) {
        try {
          for (const chunk of chunkBySize(group.flatMap((w) => w.messages), this.maxBytes)) {
            // bounded, so a hung connection cannot stall the queue behind it
            await ackWithin(this.send(chunk), this.timeoutMs);
          }
          for (const w of group) this.settle(w);
        } catch (err) {
          const reason = err instanceof Error ? err : new Error(String(err));
          for (const w of group) this.settle(w, reason);
        }
      }
    } finally {
      this.draining = false;
    }
  }
}

/** Splits messages, in order, into sends of at most `maxBytes` (a message larger than that is sent alone). */
export function chunkBySize<T extends Sized>(messages: readonly T[], maxBytes = MAX_SEND_BYTES): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const m of messages) {
    const cost = costOf(m);
    if (current.length && size + cost > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(m);
    size += cost;
  }
  if (current.length) chunks.push(current);
  return chunks;
}
