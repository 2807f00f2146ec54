import { Controller, Get, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { Requires } from '@closeloop/platform';
import type { ConsoleConfig } from '../config';
import { AuthedRequest, BearerGuard } from '../auth/bearer.guard';
import { CONSOLE_CONFIG } from '../tokens';
import { forward, type ProxyRequest, type ProxyResponse } from './forward';

/**
 * The Sources page's data (SPEC §10 "what ops see"): ingest's ops API under /api/sources, the caller's own bearer
 * token forwarded as for tickets. Ingest is found at SERVICE_URLS' `ingest`.
 */
@Controller('api')
@UseGuards(BearerGuard)
export class SourcesProxyController {
  constructor(@Inject(CONSOLE_CONFIG) private readonly cfg: ConsoleConfig) {}

  // reads and Replay only: the survey tools' own `POST /v1/sources/{id}` is never reachable through the console
  @Get(['sources', 'sources/*path'])
  @Requires('ops.read')
  read(@Req() req: ProxyRequest & AuthedRequest, @Res() res: ProxyResponse): Promise<void> {
    return forward(req, res, 'ingest', this.cfg.serviceUrls.ingest);
  }

  @Post('sources/:id/kept/:keptId/replay')
  @Requires('ops.replay')
  replay(@Req() req: ProxyRequest & AuthedRequest, @Res() res: ProxyResponse): Promise<void> {
    return forward(req, res, 'ingest', this.cfg.serviceUrls.ingest);
  }
}
