import { ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Agent } from '@closeloop/contracts';
import { authorize, scopeOf, type Permission, type Refusal } from './access';
import { ProblemException, problem } from './problem';

const REQUIRES = 'closeloop:requires';

/**
 * What a route needs (SPEC §12), next to the route. Every route behind an agent guard carries one: a route without
 * it is refused (fail closed), and each service's role matrix test lists every route it serves.
 */
export const Requires = (permission: Permission) => SetMetadata(REQUIRES, permission);

/** The permission the handler (or else its controller) was marked with. */
export function requiredPermission(ctx: ExecutionContext): Permission | undefined {
  return (Reflect.getMetadata(REQUIRES, ctx.getHandler()) ?? Reflect.getMetadata(REQUIRES, ctx.getClass())) as Permission | undefined;
}

/** A refusal as the 403 problem every service answers with: the detail and the roles that may. */
export function forbidden(refusal: Refusal): ProblemException {
  return new ProblemException({ ...problem(403, refusal.detail), requiredRoles: refusal.requiredRoles });
}

/** Throws the 403 unless `agent` may do `permission` (on something of `team`, when given). */
export function enforce(agent: Pick<Agent, 'role' | 'team'>, permission: Permission, team?: string): void {
  const refusal = authorize(agent, permission, team);
  if (refusal) throw forbidden(refusal);
}

/** For an agent guard, after it knows who is calling: the route's permission, judged on the role alone. */
export function enforceRoute(ctx: ExecutionContext, agent: Pick<Agent, 'role' | 'team'>): void {
  const permission = requiredPermission(ctx);
  if (!permission) throw new ProblemException(problem(403, 'this route has no role decision; it is refused until it has one'));
  enforce(agent, permission);
}

/**
 * The team a list or report of `permission` covers for `agent`, given the team the request asked for: an agent or a
 * lead always gets their own (asking for another is the 403), the others what they asked for (null: every team).
 */
export function teamInScope(agent: Pick<Agent, 'role' | 'team'>, permission: Permission, asked: string | undefined): string | null {
  const scope = scopeOf(agent, permission);
  if (scope !== null && asked !== undefined) enforce(agent, permission, asked);
  return scope ?? asked ?? null;
}
