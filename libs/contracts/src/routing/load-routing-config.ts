import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatRoutingErrors, parseRoutingConfig } from './parse-routing-config';
import type { RoutingConfig, RoutingConfigProblem } from './routing-config';

/** A routing file that cannot be used. `message` lists every problem, one per line, each prefixed with the file path. */
export class RoutingConfigError extends Error {
  constructor(
    readonly source: string,
    readonly errors: RoutingConfigProblem[],
  ) {
    super(formatRoutingErrors(errors, source));
    this.name = 'RoutingConfigError';
  }
}

/** Reads and validates the routing file at `path`; throws RoutingConfigError (never returns a half-valid config). */
export function loadRoutingConfig(path: string): RoutingConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT'
      ? `file not found (looked at ${resolve(path)}); set CLOSELOOP_CONFIG to the routing file`
      : `cannot read the file: ${e instanceof Error ? e.message : String(e)}`;
    throw new RoutingConfigError(path, [{ path: '', message }]);
  }
  const result = parseRoutingConfig(text, path);
  if (!result.ok) throw new RoutingConfigError(path, result.errors);
  return result.config;
}
