import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { Topic } from '@closeloop/contracts';
import { Outbox } from '@closeloop/messaging';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { HttpResponse, RawRequest } from '../http';
import { recheckAnswersTotal } from '../metrics';
import { LOGGER } from '../tokens';
import { sendPublicPage } from '../web/public-page';
import { renderRecheckPage, type RecheckPageState } from './page';
import { parseRecheckScore, recheckFeedback } from './recheck-feedback';
import { RecheckLinks } from './recheck-links';

/**
 * `GET /r/:token` shows the recheck question, `POST /r/:token` (a form, `score=0…10`) records the answer once and
 * publishes it as feedback from `closeloop-recheck` through the outbox, in the transaction that uses the link up.
 * The token is a capability in the URL: never logged, never sent on as a referrer, never cached.
 */
@Controller('r')
export class RecheckController {
  constructor(
    private readonly ds: DataSource,
    private readonly links: RecheckLinks,
    private readonly outbox: Outbox,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  @Get(':token')
  async page(@Param('token') token: string, @Res() res: HttpResponse): Promise<void> {
    const link = await this.links.find(this.ds, token);
    const state: RecheckPageState = !link ? 'invalid' : link.answeredAt ? 'answered' : link.expiresAt.getTime() <= Date.now() ? 'expired' : 'question';
    send(res, state, link?.locale);
  }

  @Post(':token')
  async answer(@Param('token') token: string, @Req() req: RawRequest, @Res() res: HttpResponse): Promise<void> {
    const score = parseRecheckScore(new URLSearchParams(req.rawBody?.toString('utf8') ?? '').get('score') ?? undefined);
    const result = await this.ds.transaction(async (m) => {
      const link = await this.links.find(m, token, true);
      if (!link) return { state: 'invalid' as const };
      if (link.answeredAt) return { state: 'answered' as const, locale: link.locale };
      if (link.expiresAt.getTime() <= Date.now()) return { state: 'expired' as const, locale: link.locale };
      if (score === undefined) return { state: 'bad_score' as const, locale: link.locale };
      const now = new Date();
      await this.links.markAnswered(m, link.id, score, now);
      const event = recheckFeedback(link, score, now);
      await this.outbox.add(m, Topic.FeedbackReceived, link.customerId, event);
      return { state: 'thanks' as const, locale: link.locale, ticketId: link.ticketId, feedbackId: event.data.feedbackId };
    });
    recheckAnswersTotal.inc({ outcome: result.state === 'thanks' ? 'recorded' : result.state });
    if (result.state === 'thanks') this.log.info({ ticketId: result.ticketId, feedbackId: result.feedbackId }, 'recheck answered');
    send(res, result.state, result.locale);
  }
}

function send(res: HttpResponse, state: RecheckPageState, locale: string | undefined): void {
  const page = renderRecheckPage(state, { locale });
  sendPublicPage(res, page.status, page.html);
}
