import { agentById } from '@closeloop/contracts';
import { checkSaslComplete, databaseEnv, env, httpEnv, kafkaEnv, loadConfig, logEnv, parseAgentTokens, routingEnv, privacyEnv } from '@closeloop/platform';

export const SERVICE = 'tickets';
/** The default schema; `DATABASE_SCHEMA` overrides it (tests isolate themselves in a schema each). */
export const SCHEMA = 'tickets';

/** DATABASE_URL, pool size, and the schema of the tickets tables. */
export function loadTicketsConfig(source: NodeJS.ProcessEnv = process.env) {
  return loadConfig(
    {
      http: httpEnv('TICKETS_PORT', 3002),
      kafka: kafkaEnv(),
      database: databaseEnv(SCHEMA),
      privacy: privacyEnv(),
      log: logEnv(),
      routing: routingEnv(),
      apiTokens: env.custom('API_TOKENS', parseAgentTokens),
      slaCheckIntervalMs: env.int('SLA_CHECK_INTERVAL_MS', 5_000, { min: 50, max: 3_600_000 }),
      /** how often the trend pass counts the groups (SPEC §12); only with `trends` in the routing file */
      trendCheckIntervalMs: env.int('TREND_CHECK_INTERVAL_MS', 60_000, { min: 50, max: 3_600_000 }),
      consoleUrl: env.url('CONSOLE_URL', { protocols: ['http', 'https'] }),
      /** how customers reach notification's recheck page (SPEC §3); without it no recheck link can be made */
      publicBaseUrl: env.url('PUBLIC_BASE_URL', { protocols: ['http', 'https'] }),
      recheckCheckIntervalMs: env.int('RECHECK_CHECK_INTERVAL_MS', 10_000, { min: 50, max: 3_600_000 }),
      /** how often unclaimed tickets are checked against their team's escalation chain (SPEC §12) */
      escalationCheckIntervalMs: env.int('ESCALATION_CHECK_INTERVAL_MS', 5_000, { min: 50, max: 3_600_000 }),
      /** how often erasures whose participants are all done get their key step (SPEC §13, ADR 0026) */
      erasureCheckIntervalMs: env.int('ERASURE_CHECK_INTERVAL_MS', 5_000, { min: 50, max: 3_600_000 }),
      /** how often the retention pass runs (SPEC §13 `retention`; only with resolvedTickets or feedback in the routing file) */
      retentionCheckIntervalMs: env.int('RETENTION_CHECK_INTERVAL_MS', 86_400_000, { min: 50, max: 7 * 86_400_000 }),
    },
    source,
    SERVICE,
    (c) => [
      ...checkSaslComplete(c.kafka),
      ...c.apiTokens.ids
        .filter((id) => !agentById(c.routing, id))
        .map((id) => `API_TOKENS: agent "${id}" is not in the routing file's agents (${c.routing.agents.map((a) => a.id).join(', ') || 'none'})`),
    ],
  );
}
export type TicketsConfig = ReturnType<typeof loadTicketsConfig>;
