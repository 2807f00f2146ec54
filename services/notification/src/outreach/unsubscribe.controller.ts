import { Controller, Get, Inject, Param, Post, Res } from '@nestjs/common';
import { Topic, deterministicId, makeEnvelope, supportedLocale, translator, type MessageKey, type ConsentCommand } from '@closeloop/contracts';
import { Outbox } from '@closeloop/messaging';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { SERVICE } from '../config';
import type { HttpResponse } from '../http';
import { LOGGER } from '../tokens';
import { esc, publicPage, sendPublicPage } from '../web/public-page';
import { UnsubscribeLinks } from './unsubscribe-links';

type State = 'ask' | 'done' | 'invalid';

const MESSAGE: Record<State, MessageKey> = { ask: 'unsubscribe.ask', done: 'unsubscribe.done', invalid: 'unsubscribe.invalid' };

/** The page in the customer's language (the link remembers their locale), `en` when Closeloop has no catalog for it. */
export function renderUnsubscribePage(state: State, locale: string | undefined): { status: number; html: string } {
  const lang = supportedLocale(locale);
  const i18n = translator(lang);
  const body =
    state === 'ask'
      ? [`<p>${esc(i18n.t(MESSAGE.ask))}</p>`, '<form method="post">', `<button type="submit" name="List-Unsubscribe" value="One-Click">${esc(i18n.t('unsubscribe.button'))}</button>`, '</form>']
      : [`<p role="status">${esc(i18n.t(MESSAGE[state]))}</p>`];
  return { status: state === 'invalid' ? 404 : 200, html: publicPage({ lang, title: i18n.t('unsubscribe.title'), body }) };
}

/**
 * `GET /u/:token` asks (a link scanner opening every URL must not unsubscribe anyone); `POST /u/:token` — the page's
 * button, or a mail client's one-click unsubscribe (RFC 8058: `List-Unsubscribe=One-Click`) — uses the link up and
 * tells tickets `ticket.customer_opt_out {channel: 'email', reason: 'unsubscribe_link'}` through the outbox, in that
 * transaction; the command's id derives from the link, so a second click sends nothing new.
 */
@Controller('u')
export class UnsubscribeController {
  constructor(
    private readonly ds: DataSource,
    private readonly links: UnsubscribeLinks,
    private readonly outbox: Outbox,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  @Get(':token')
  async ask(@Param('token') token: string, @Res() res: HttpResponse): Promise<void> {
    const link = await this.links.find(this.ds, token);
    const page = renderUnsubscribePage(!link ? 'invalid' : link.usedAt ? 'done' : 'ask', link?.locale);
    sendPublicPage(res, page.status, page.html);
  }

  @Post(':token')
  async unsubscribe(@Param('token') token: string, @Res() res: HttpResponse): Promise<void> {
    const result = await this.ds.transaction(async (m) => {
      const link = await this.links.find(m, token, true);
      if (!link) return undefined;
      if (!link.usedAt) {
        const now = new Date();
        await this.links.markUsed(m, link.id, now);
        const cmd = makeEnvelope('ticket.customer_opt_out', { ticketId: link.ticketId, channel: 'email', reason: 'unsubscribe_link', at: now.toISOString() }, SERVICE, {
          eventId: deterministicId('ticket.customer_opt_out', 'unsubscribe', link.id),
          occurredAt: now,
        }) as ConsentCommand;
        await this.outbox.add(m, Topic.TicketCommands, link.ticketId, cmd);
        this.log.info({ ticketId: link.ticketId }, 'customer unsubscribed from email');
      }
      return link;
    });
    const page = renderUnsubscribePage(result ? 'done' : 'invalid', result?.locale);
    sendPublicPage(res, page.status, page.html);
  }
}
