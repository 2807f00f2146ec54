import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { ProblemException, problem } from './problem';

/** How deep a request body may nest. Validation, copying and serializing are recursive; far more than any form needs. */
export const MAX_JSON_DEPTH = 32;

/**
 * The path of the first value nested deeper than `maxDepth` (objects and arrays count one level each), or null.
 * Iterative: a body of 100 000 nested arrays is answered, not a stack overflow.
 */
export function tooDeep(value: unknown, maxDepth = MAX_JSON_DEPTH): string | null {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: '', depth: 0 }];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const { v, path, depth } = top;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= maxDepth) return path || '(root)';
    if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: `${path}[${i}]`, depth: depth + 1 });
    else for (const [k, x] of Object.entries(v)) stack.push({ v: x, path: path ? `${path}.${k}` : k, depth: depth + 1 });
  }
  return null;
}

/** A 400 naming where a body nests too deep (problem `type` as the API names its own, default about:blank). */
export function tooDeepProblem(field: string, type?: string): ProblemException {
  return new ProblemException(
    problem(400, `the request body nests deeper than ${MAX_JSON_DEPTH} levels`, { type, errors: [{ field, message: `is nested deeper than ${MAX_JSON_DEPTH} levels` }] }),
  );
}

/** Every service's HTTP request bodies, before any handler, pipe or validator walks them recursively. */
@Injectable()
export class BodyDepthInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() === 'http') {
      const field = tooDeep(ctx.switchToHttp().getRequest<{ body?: unknown }>().body);
      if (field) throw tooDeepProblem(field);
    }
    return next.handle();
  }
}
