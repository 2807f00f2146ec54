import { createHash } from 'node:crypto';
import { agentById } from '@closeloop/contracts';
import { checkSaslComplete, databaseEnv, env, httpEnv, kafkaEnv, loadConfig, logEnv, routingEnv } from '@closeloop/platform';

export const SERVICE = 'tickets';
/** The default schema; `DATABASE_SCHEMA` overrides it (tests isolate themselves in a schema each). */
export const SCHEMA = 'tickets';

/** `API_TOKENS` = `agentId:token,agentId:token`. Tokens are kept only as SHA-256 digests. */
export interface ApiTokens {
  /** sha256(token) hex → agent id */
  byDigest: Map<string, string>;
  agentIds: string[];
}

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function parseApiTokens(value: string | undefined): ApiTokens {
  if (value === undefined) throw new Error('required (comma-separated agentId:token pairs)');
  const byDigest = new Map<string, string>();
  const problems: string[] = [];
  value.split(',').map((s) => s.trim()).filter(Boolean).forEach((pair, i) => {
    const colon = pair.indexOf(':');
    const agentId = colon < 0 ? '' : pair.slice(0, colon).trim();
    const token = colon < 0 ? '' : pair.slice(colon + 1).trim();
    // never echo a token back: the message names the position and the agent only
    if (!agentId || !token) return problems.push(`entry ${i + 1} is not agentId:token`);
    if (token.length < 8) return problems.push(`the token of ${agentId} (entry ${i + 1}) is shorter than 8 characters`);
    const digest = tokenDigest(token);
    if (byDigest.has(digest)) return problems.push(`the token of ${agentId} (entry ${i + 1}) is also used by ${byDigest.get(digest)}`);
    byDigest.set(digest, agentId);
  });
  if (problems.length) throw new Error(problems.join('; '));
  if (byDigest.size === 0) throw new Error('required (comma-separated agentId:token pairs)');
  return { byDigest, agentIds: [...new Set(byDigest.values())] };
}

/** DATABASE_URL, pool size, and the schema of the tickets tables. */
export function loadTicketsConfig(source: NodeJS.ProcessEnv = process.env) {
  return loadConfig(
    {
      http: httpEnv('TICKETS_PORT', 3002),
      kafka: kafkaEnv(),
      database: databaseEnv(SCHEMA),
      log: logEnv(),
      routing: routingEnv(),
      apiTokens: env.custom('API_TOKENS', parseApiTokens),
      slaCheckIntervalMs: env.int('SLA_CHECK_INTERVAL_MS', 5_000, { min: 50, max: 3_600_000 }),
      consoleUrl: env.url('CONSOLE_URL', { protocols: ['http', 'https'] }),
    },
    source,
    SERVICE,
    (c) => [
      ...checkSaslComplete(c.kafka),
      ...c.apiTokens.agentIds
        .filter((id) => !agentById(c.routing, id))
        .map((id) => `API_TOKENS: agent "${id}" is not in the routing file's agents (${c.routing.agents.map((a) => a.id).join(', ') || 'none'})`),
    ],
  );
}
export type TicketsConfig = ReturnType<typeof loadTicketsConfig>;
