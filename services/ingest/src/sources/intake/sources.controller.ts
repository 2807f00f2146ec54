import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { IncomingMessage } from 'node:http';
import { SourceIntakeService } from './source-intake.service';

/**
 * SPEC §10: a survey tool's webhook. No ingest key and no IntakeGate: the source's own authenticity check replaces
 * the key, and the body must reach it byte for byte. Left out of the OpenAPI document (its callers are the survey
 * tools, configured from docs/sources.md, not API clients).
 */
@ApiExcludeController()
@Controller('v1/sources')
export class SourcesController {
  constructor(private readonly sources: SourceIntakeService) {}

  @Post(':id')
  @HttpCode(202)
  async deliver(@Param('id') id: string, @Req() req: IncomingMessage, @Res({ passthrough: true }) res: { status(code: number): unknown }): Promise<object> {
    const answer = await this.sources.deliver(id, req);
    res.status(answer.status);
    return answer.body;
  }
}
