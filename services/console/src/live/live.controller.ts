import { Controller, Get, Req, Res, UseGuards, UseFilters } from '@nestjs/common';
import { ProblemFilter } from '../problem.filter';
import { AuthedRequest, BearerGuard, signedInAgent } from '../auth/bearer.guard';
import { LiveHub } from './live-hub';

interface StreamRequest extends AuthedRequest {
  on(event: 'close', cb: () => void): void;
}
interface StreamResponse {
  writeHead(status: number, headers: Record<string, string>): void;
  write(chunk: string): boolean;
  end(): void;
  flushHeaders?(): void;
}

/**
 * GET /api/live: Server-Sent Events for signed-in clients. The SPA reads it with fetch (not EventSource) so
 * the token travels in the Authorization header, never in a URL that proxies and logs keep.
 */
@UseFilters(ProblemFilter)
@Controller('api')
@UseGuards(BearerGuard)
export class LiveController {
  constructor(private readonly hub: LiveHub) {}

  @Get('live')
  live(@Req() req: StreamRequest, @Res() res: StreamResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.flushHeaders?.();
    const remove = this.hub.add({ agentId: signedInAgent(req), write: (c) => res.write(c), end: () => res.end() });
    req.on('close', remove);
  }
}
