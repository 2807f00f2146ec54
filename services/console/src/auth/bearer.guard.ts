import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { BearerAuth, sourceAddress } from '@closeloop/platform';

export interface AuthedRequest {
  headers: Record<string, string | string[] | undefined>;
  ip?: string;
  socket?: { remoteAddress?: string };
  agentId?: string;
}

/** The agent the guard signed in (routes behind BearerGuard only). */
export function signedInAgent(req: AuthedRequest): string {
  if (!req.agentId) throw new UnauthorizedException('sign in with an API token (Authorization: Bearer <token>)');
  return req.agentId;
}

/**
 * Everything under /api needs `Authorization: Bearer <API token>` (SPEC §3): 401 otherwise, and 429 with Retry-After
 * once an address has failed too often (the platform's BearerAuth: digests compared in constant time).
 */
@Injectable()
export class BearerGuard implements CanActivate {
  constructor(private readonly auth: BearerAuth) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    req.agentId = this.auth.authenticate(req.headers.authorization, sourceAddress(req));
    return true;
  }
}
