import { Injectable, OnApplicationShutdown } from '@nestjs/common';

export interface LiveClient {
  agentId: string;
  /** false when the socket's buffer is full (Node's backpressure signal) */
  write(chunk: string): boolean;
  /** closes the stream after what is buffered (shutdown) */
  end(): void;
  /** closes the socket now, buffer and all: a client that stopped reading would otherwise keep it (and its memory) open */
  destroy(): void;
}

/** Streams one agent may hold open at once (tabs, windows): beyond it, 429. */
export const MAX_STREAMS_PER_AGENT = 5;
/** A stream whose socket has not drained for this long is closed: the browser reconnects and re-reads what it shows. */
export const SLOW_CLIENT_MS = 30_000;

interface State {
  /** since when write() has returned false without a 'drain' since */
  blockedSince?: number;
}

/**
 * The signed-in browsers listening on /api/live (Server-Sent Events). Events carry only what a page needs to
 * know that it is stale (which ticket, what happened); the page then re-reads the ticket through the API,
 * so the live feed never shows anything the agent API would not.
 *
 * Bounded: at most MAX_STREAMS_PER_AGENT streams per agent, and a client that stops reading is not written to
 * (its buffer would grow with every event) and is closed once it has been blocked for SLOW_CLIENT_MS.
 */
@Injectable()
export class LiveHub implements OnApplicationShutdown {
  private readonly clients = new Map<LiveClient, State>();
  private readonly heartbeat: NodeJS.Timeout;

  /** monotonic milliseconds (replaceable in tests) */
  now: () => number = () => performance.now();

  constructor() {
    // proxies close idle streams; a comment line every 15 s keeps them open (and finds the stalled ones)
    this.heartbeat = setInterval(() => this.send(': keep-alive\n\n'), 15_000);
    this.heartbeat.unref();
  }

  /** Whether `agentId` may open another stream. */
  hasRoom(agentId: string): boolean {
    let open = 0;
    for (const c of this.clients.keys()) if (c.agentId === agentId) open++;
    return open < MAX_STREAMS_PER_AGENT;
  }

  /** Adds a stream and greets it; null when its agent already holds MAX_STREAMS_PER_AGENT. The function removes it. */
  add(client: LiveClient): (() => void) | null {
    if (!this.hasRoom(client.agentId)) return null;
    this.clients.set(client, {});
    this.write(client, `event: hello\ndata: ${JSON.stringify({ agentId: client.agentId })}\n\n`);
    return () => void this.clients.delete(client);
  }

  /** The client's socket drained ('drain' event): it may be written to again. */
  drained(client: LiveClient): void {
    const s = this.clients.get(client);
    if (s) s.blockedSince = undefined;
  }

  get size(): number {
    return this.clients.size;
  }

  broadcast(event: string, data: unknown): void {
    this.send(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private send(chunk: string): void {
    for (const c of [...this.clients.keys()]) this.write(c, chunk);
  }

  private write(c: LiveClient, chunk: string): void {
    const s = this.clients.get(c);
    if (!s) return;
    if (s.blockedSince !== undefined) {
      // not reading: skip (it refetches when it reconnects), and give up on it after SLOW_CLIENT_MS
      if (this.now() - s.blockedSince >= SLOW_CLIENT_MS) this.drop(c, 'destroy');
      return;
    }
    try {
      if (!c.write(chunk)) s.blockedSince = this.now();
    } catch {
      this.drop(c, 'destroy');
    }
  }

  private drop(c: LiveClient, how: 'end' | 'destroy' = 'end'): void {
    this.clients.delete(c);
    try {
      if (how === 'destroy') c.destroy();
      else c.end();
    } catch {
      // already gone
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.heartbeat);
    for (const c of [...this.clients.keys()]) this.drop(c);
  }
}
