import { randomBytes } from 'node:crypto';

/**
 * What the jest global setup hands over, read here directly: libs/testing builds on this library, so this library's
 * own tests cannot import it (a circular dependency).
 */
export function runDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL not set: run integration tests through jest --selectProjects int (global setup provisions it)');
  return url;
}

/** A name of its own for this file's schema or customer (lower-case, as schema names must be). */
export function uniqueName(base: string): string {
  return `${base}_${randomBytes(4).toString('hex')}`;
}
