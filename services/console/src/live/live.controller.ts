import { Controller, Get, Req, Res, UseGuards } from '@nestjs/common';
import { ProblemException, Requires, problem } from '@closeloop/platform';
import { AuthedRequest, BearerGuard, signedInAgent } from '../auth/bearer.guard';
import { LiveHub, MAX_STREAMS_PER_AGENT } from './live-hub';

interface StreamRequest extends AuthedRequest {
  on(event: 'close', cb: () => void): void;
}
interface StreamResponse {
  writeHead(status: number, headers: Record<string, string>): void;
  write(chunk: string): boolean;
  end(): void;
  destroy(): void;
  on(event: 'drain', cb: () => void): void;
  flushHeaders?(): void;
}

/**
 * GET /api/live: Server-Sent Events for signed-in clients. The SPA reads it with fetch (not EventSource) so
 * the token travels in the Authorization header, never in a URL that proxies and logs keep.
 */
@Controller('api')
@UseGuards(BearerGuard)
export class LiveController {
  constructor(private readonly hub: LiveHub) {}

  @Get('live')
  @Requires('tickets.read') // ids, states and delivery outcomes only: what the inbox needs to refresh
  live(@Req() req: StreamRequest, @Res() res: StreamResponse): void {
    const agentId = signedInAgent(req);
    if (!this.hub.hasRoom(agentId)) {
      throw new ProblemException(problem(429, `at most ${MAX_STREAMS_PER_AGENT} live streams per agent may be open at once; close another tab`), { 'Retry-After': '30' });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.flushHeaders?.();
    const client = { agentId, write: (c: string) => res.write(c), end: () => res.end(), destroy: () => res.destroy() };
    const remove = this.hub.add(client);
    if (!remove) return res.end(); // cannot happen: nothing ran between hasRoom and add
    req.on('close', remove);
    res.on('drain', () => this.hub.drained(client));
  }
}
