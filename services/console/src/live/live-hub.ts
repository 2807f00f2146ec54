import { Injectable, OnApplicationShutdown } from '@nestjs/common';

export interface LiveClient {
  agentId: string;
  write(chunk: string): void;
  end(): void;
}

/**
 * The signed-in browsers listening on /api/live (Server-Sent Events). Events carry only what a page needs to
 * know that it is stale (which ticket, what happened); the page then re-reads the ticket through the API,
 * so the live feed never shows anything the agent API would not.
 */
@Injectable()
export class LiveHub implements OnApplicationShutdown {
  private readonly clients = new Set<LiveClient>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor() {
    // proxies close idle streams; a comment line every 15 s keeps them open
    this.heartbeat = setInterval(() => this.send(': keep-alive\n\n'), 15_000);
    this.heartbeat.unref();
  }

  add(client: LiveClient): () => void {
    this.clients.add(client);
    client.write(`event: hello\ndata: ${JSON.stringify({ agentId: client.agentId })}\n\n`);
    return () => this.clients.delete(client);
  }

  get size(): number {
    return this.clients.size;
  }

  broadcast(event: string, data: unknown): void {
    this.send(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private send(chunk: string): void {
    for (const c of this.clients) {
      try {
        c.write(chunk);
      } catch {
        this.clients.delete(c);
      }
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}
