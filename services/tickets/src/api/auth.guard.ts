import { CanActivate, ExecutionContext, Inject, Injectable, createParamDecorator } from '@nestjs/common';
import { Agent, RoutingConfig, agentById } from '@closeloop/contracts';
import { TicketsConfig, tokenDigest } from '../config';
import { ROUTING, TICKETS_CONFIG } from '../tokens';
import { unauthorized } from './problem';

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * `Authorization: Bearer <token>` from API_TOKENS → the agent of the routing file. Tokens are compared by
 * their SHA-256 digest, so a lookup does not leak how much of a token matched.
 */
@Injectable()
export class AgentAuthGuard implements CanActivate {
  constructor(
    @Inject(TICKETS_CONFIG) private readonly cfg: TicketsConfig,
    @Inject(ROUTING) private readonly routing: RoutingConfig,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; agent?: Agent }>();
    const header = req.headers.authorization;
    if (!header) throw unauthorized('an Authorization: Bearer <API token> header is required');
    const m = BEARER.exec(header);
    if (!m) throw unauthorized('the Authorization header must be "Bearer <API token>"');
    const agentId = this.cfg.apiTokens.byDigest.get(tokenDigest(m[1]));
    const agent = agentId ? agentById(this.routing, agentId) : undefined;
    if (!agent) throw unauthorized('the API token is not valid');
    req.agent = agent;
    return true;
  }
}

/** The agent the bearer token belongs to (set by AgentAuthGuard). */
export const CurrentAgent = createParamDecorator((_: unknown, ctx: ExecutionContext): Agent => ctx.switchToHttp().getRequest<{ agent: Agent }>().agent);
