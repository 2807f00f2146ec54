import { CanActivate, ExecutionContext, Inject, Injectable, createParamDecorator } from '@nestjs/common';
import { Agent, RoutingConfig, agentById } from '@closeloop/contracts';
import { BearerAuth, ProblemException, enforceRoute, problem, sourceAddress } from '@closeloop/platform';
import { ROUTING } from '../tokens';

type AuthRequest = { headers: Record<string, string | string[] | undefined>; ip?: string; socket?: { remoteAddress?: string }; agent?: Agent };

/**
 * `Authorization: Bearer <token>` from API_TOKENS → the agent of the routing file, through the platform's BearerAuth:
 * digests compared in constant time, 401 for a missing or bad token, 429 with Retry-After once an address has failed
 * too often; then the route's `@Requires` permission, on the agent's role (SPEC §12: 403 naming the roles that may).
 */
@Injectable()
export class AgentAuthGuard implements CanActivate {
  constructor(private readonly auth: BearerAuth, @Inject(ROUTING) private readonly routing: RoutingConfig) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<AuthRequest>();
    const agent = agentById(this.routing, this.auth.authenticate(req.headers.authorization, sourceAddress(req)));
    // the config loader refuses tokens of agents the routing file does not name
    if (!agent) throw new ProblemException(problem(401, 'the API token is not valid'), { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    req.agent = agent;
    enforceRoute(ctx, agent);
    return true;
  }
}

/** The agent the bearer token belongs to (set by AgentAuthGuard). */
export const CurrentAgent = createParamDecorator((_: unknown, ctx: ExecutionContext): Agent => ctx.switchToHttp().getRequest<{ agent: Agent }>().agent);
