import { All, Controller, Get, Inject, Req, Res, UseGuards } from '@nestjs/common';
import { RoutingConfig } from '@closeloop/contracts';
import { Requires } from '@closeloop/platform';
import type { ConsoleConfig } from '../config';
import { AuthedRequest, BearerGuard } from '../auth/bearer.guard';
import { CONSOLE_CONFIG, ROUTING } from '../tokens';
import { forward, type ProxyRequest, type ProxyResponse } from './forward';

/**
 * The agent API through the console: same paths under /api instead of /v1, the caller's own bearer token
 * forwarded, status and body passed back unchanged (tickets decides what an agent may do; the console
 * adds no rules of its own).
 */
@Controller('api')
@UseGuards(BearerGuard)
export class TicketsProxyController {
  constructor(@Inject(CONSOLE_CONFIG) private readonly cfg: ConsoleConfig, @Inject(ROUTING) private readonly routing: RoutingConfig) {}

  /** What the inbox filters and the resolve form offer. */
  @Get('config')
  @Requires('session')
  config() {
    const r = this.routing;
    return {
      teams: r.teams.map((t) => ({ id: t.id })),
      touchpoints: r.touchpoints.map((t) => ({ id: t.id, team: t.team })),
      agents: r.agents.map((a) => ({ id: a.id, name: a.name, team: a.team, role: a.role })),
      rootCauses: r.rootCauses,
      // what an agent may send the customer (the recheck goes out by resolving with one): names and the channels each has
      templates: Object.entries(r.templates)
        .filter(([name]) => name !== 'recheck')
        .map(([name, byLocale]) => ({ name, channels: (['sms', 'email'] as const).filter((c) => Object.values(byLocale).some((t) => t[c] !== undefined)) })),
      // the resolve form offers "recheck with the customer later" when the routing file has the recheck template
      recheck: Object.prototype.hasOwnProperty.call(r.templates, 'recheck'),
      statuses: ['open', 'claimed', 'resolved'],
      severities: ['critical', 'high', 'normal'],
    };
  }

  // tickets judges each request again with the ticket's team in hand
  @All(['tickets', 'tickets/*path'])
  @Requires('tickets.read')
  proxyTickets(@Req() req: ProxyRequest & AuthedRequest, @Res() res: ProxyResponse): Promise<void> {
    return forward(req, res, 'tickets', this.cfg.ticketsUrl);
  }

  @All(['reports/summary', 'reports/timeseries'])
  @Requires('reports.read')
  proxy(@Req() req: ProxyRequest & AuthedRequest, @Res() res: ProxyResponse): Promise<void> {
    return forward(req, res, 'tickets', this.cfg.ticketsUrl);
  }
}
