import { All, BadRequestException, Controller, Get, Inject, Req, Res, UseGuards } from '@nestjs/common';
import { RoutingConfig, agentById } from '@closeloop/contracts';
import { ProblemException, problem } from '@closeloop/platform';
import type { ConsoleConfig } from '../config';
import { AuthedRequest, BearerGuard, signedInAgent } from '../auth/bearer.guard';
import { CONSOLE_CONFIG, ROUTING } from '../tokens';
import { upstreamPath } from './upstream-path';

interface ProxyRequest extends AuthedRequest {
  method: string;
  originalUrl: string;
  body?: unknown;
}
interface ProxyResponse {
  status(code: number): ProxyResponse;
  setHeader(name: string, value: string): void;
  send(body: Buffer | string): void;
}

/**
 * The agent API through the console: same paths under /api instead of /v1, the caller's own bearer token
 * forwarded, status and body passed back unchanged (tickets decides what an agent may do; the console
 * adds no rules of its own).
 */
@Controller('api')
@UseGuards(BearerGuard)
export class TicketsProxyController {
  constructor(@Inject(CONSOLE_CONFIG) private readonly cfg: ConsoleConfig, @Inject(ROUTING) private readonly routing: RoutingConfig) {}

  /** Who is signed in, answered locally (routing file) so sign-in and the ops pages work while tickets is down. */
  @Get('me')
  me(@Req() req: AuthedRequest) {
    const id = signedInAgent(req);
    const agent = agentById(this.routing, id);
    return { agent: { id, name: agent?.name ?? id, team: agent?.team ?? null } };
  }

  /** What the inbox filters and the resolve form offer. */
  @Get('config')
  config() {
    const r = this.routing;
    return {
      teams: r.teams.map((t) => ({ id: t.id })),
      touchpoints: r.touchpoints.map((t) => ({ id: t.id, team: t.team })),
      agents: r.agents.map((a) => ({ id: a.id, name: a.name, team: a.team })),
      rootCauses: r.rootCauses,
      statuses: ['open', 'claimed', 'resolved'],
      severities: ['critical', 'high', 'normal'],
    };
  }

  @All(['tickets', 'tickets/*path', 'reports/summary'])
  async proxy(@Req() req: ProxyRequest, @Res() res: ProxyResponse): Promise<void> {
    let path: string;
    try {
      path = upstreamPath(req.originalUrl);
    } catch (err) {
      throw new BadRequestException((err as Error).message);
    }
    const target = `${this.cfg.ticketsUrl}${path}`;
    const method = req.method.toUpperCase();
    const hasBody = !['GET', 'HEAD'].includes(method);
    let upstream: Response;
    try {
      upstream = await fetch(target, {
        method,
        headers: {
          authorization: String(req.headers.authorization),
          accept: 'application/json',
          ...(hasBody ? { 'content-type': 'application/json' } : {}),
        },
        body: hasBody ? JSON.stringify(req.body ?? {}) : undefined,
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      throw new ProblemException(problem(502, `tickets service unreachable: ${(err as Error).message}`));
    }
    res.status(upstream.status);
    const type = upstream.headers.get('content-type');
    if (type) res.setHeader('content-type', type);
    res.send(Buffer.from(await upstream.arrayBuffer()));
  }
}
