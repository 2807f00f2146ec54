import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { PeriodicJob } from '@closeloop/platform';
import { LOGGER } from '../tokens';
import { DigestService } from './digest.service';

/** Looks once a minute whether a digest is due (SPEC §12); only with `digest` in the routing file. */
@Injectable()
export class DigestScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly job = new PeriodicJob({ everyMs: 60_000, firstAfterMs: 5_000 }, () => this.tick());

  constructor(private readonly digests: DigestService, @Inject(LOGGER) private readonly logger: Logger) {}

  onApplicationBootstrap(): void {
    if (this.digests.configured) this.job.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.job.stop();
  }

  async tick(now = new Date()): Promise<void> {
    try {
      const teams = await this.digests.pass(now);
      if (teams.length > 0) this.logger.info({ teams }, 'daily digests sent');
    } catch (err) {
      this.logger.warn({ err }, 'digest pass failed; retrying in a minute');
    }
  }
}
