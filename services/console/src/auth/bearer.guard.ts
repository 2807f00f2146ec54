import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Agent, RoutingConfig, agentById } from '@closeloop/contracts';
import { BearerAuth, ProblemException, enforceRoute, problem, sourceAddress } from '@closeloop/platform';
import { ROUTING } from '../tokens';

export interface AuthedRequest {
  headers: Record<string, string | string[] | undefined>;
  ip?: string;
  socket?: { remoteAddress?: string };
  agentId?: string;
  agent?: Agent;
}

/** The agent the guard signed in (routes behind BearerGuard only). */
export function signedInAgent(req: AuthedRequest): string {
  if (!req.agentId) throw new UnauthorizedException('sign in with an API token (Authorization: Bearer <token>)');
  return req.agentId;
}

/** The signed-in agent of the routing file, with their role (routes behind BearerGuard only). */
export function signedInAs(req: AuthedRequest): Agent {
  if (!req.agent) throw new UnauthorizedException('sign in with an API token (Authorization: Bearer <token>)');
  return req.agent;
}

/**
 * Everything under /api needs `Authorization: Bearer <API token>` (SPEC §3): 401 otherwise, and 429 with Retry-After
 * once an address has failed too often (the platform's BearerAuth: digests compared in constant time). Then the
 * route's `@Requires` on the agent's role (SPEC §12): 403 naming the roles that may. Proxied routes are judged again
 * by the service behind them, which knows the ticket's team.
 */
@Injectable()
export class BearerGuard implements CanActivate {
  constructor(private readonly auth: BearerAuth, @Inject(ROUTING) private readonly routing: RoutingConfig) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    req.agentId = this.auth.authenticate(req.headers.authorization, sourceAddress(req));
    const agent = agentById(this.routing, req.agentId);
    // the config loader refuses tokens of agents the routing file does not name
    if (!agent) throw new ProblemException(problem(401, 'the API token is not valid'), { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    req.agent = agent;
    enforceRoute(ctx, agent);
    return true;
  }
}
