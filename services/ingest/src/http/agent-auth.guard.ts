import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { RoutingConfig, agentById } from '@closeloop/contracts';
import { BearerAuth, ProblemException, enforceRoute, problem, sourceAddress } from '@closeloop/platform';

/** The agents' BearerAuth (API_TOKENS), next to the one of the ingest keys. */
export const AGENT_AUTH = Symbol('AGENT_AUTH');
export const ROUTING = Symbol('ROUTING');

type AuthRequest = { headers: Record<string, string | string[] | undefined>; ip?: string; socket?: { remoteAddress?: string }; agentId?: string };

/**
 * The ops API (what ingest recorded about the sources, and Replay): `Authorization: Bearer <token>` from API_TOKENS,
 * as the tickets API checks it (platform BearerAuth: digests compared in constant time, 401, 429 once an address
 * has failed too often), then the route's `@Requires` on the caller's role: ops and admin (SPEC §12).
 */
@Injectable()
export class AgentAuthGuard implements CanActivate {
  constructor(@Inject(AGENT_AUTH) private readonly auth: BearerAuth, @Inject(ROUTING) private readonly routing: RoutingConfig) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<AuthRequest>();
    const agent = agentById(this.routing, this.auth.authenticate(req.headers.authorization, sourceAddress(req)));
    // the config loader refuses tokens of agents the routing file does not name
    if (!agent) throw new ProblemException(problem(401, 'the API token is not valid'), { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    req.agentId = agent.id;
    enforceRoute(ctx, agent);
    return true;
  }
}
