import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { TOKEN_TABLE } from '../tokens';
import { TokenTable, agentForAuthorization } from './api-tokens';

export interface AuthedRequest {
  headers: Record<string, string | string[] | undefined>;
  agentId?: string;
}

/** The agent the guard signed in (routes behind BearerGuard only). */
export function signedInAgent(req: AuthedRequest): string {
  if (!req.agentId) throw new UnauthorizedException('sign in with an API token (Authorization: Bearer <token>)');
  return req.agentId;
}

/** Everything under /api except health needs `Authorization: Bearer <API token>` (SPEC §3). */
@Injectable()
export class BearerGuard implements CanActivate {
  constructor(@Inject(TOKEN_TABLE) private readonly tokens: TokenTable) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const header = req.headers.authorization;
    const agentId = agentForAuthorization(Array.isArray(header) ? header[0] : header, this.tokens);
    if (!agentId) throw new UnauthorizedException(header ? 'the API token is not valid' : 'sign in with an API token (Authorization: Bearer <token>)');
    req.agentId = agentId;
    return true;
  }
}
