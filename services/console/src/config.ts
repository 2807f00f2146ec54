import { resolve } from 'node:path';
import { checkSaslComplete, databaseEnv, env, httpEnv, kafkaEnv, loadConfig, logEnv, parseAgentTokens, routingEnv } from '@closeloop/platform';
import { DEFAULT_SERVICE_URLS, httpUrl, parseServiceUrls } from './ops/service-urls';

export const SERVICE = 'console';

/** Where `vite build` puts the SPA (services/console/web/dist), relative to this file in src/ and in dist/. */
export const DEFAULT_WEB_DIR = resolve(__dirname, '..', 'web', 'dist');

export function loadConsoleConfig(source: NodeJS.ProcessEnv = process.env) {
  return loadConfig(
    {
      http: httpEnv('CONSOLE_PORT', 3000),
      kafka: kafkaEnv(),
      // the console's own tiny schema (DLQ replay records)
      database: databaseEnv('console'),
      log: logEnv(),
      routing: routingEnv(),
      apiTokens: env.custom('API_TOKENS', parseAgentTokens),
      ticketsUrl: env.custom('TICKETS_URL', (v) => httpUrl(v ?? DEFAULT_SERVICE_URLS.tickets)),
      serviceUrls: env.custom('SERVICE_URLS', (v) => parseServiceUrls(v)),
      webDir: env.custom('CONSOLE_WEB_DIR', (v) => resolve(v ?? DEFAULT_WEB_DIR)),
      /** How often the ops poller samples offsets (topic rates and lag). */
      opsSampleMs: env.int('CONSOLE_OPS_SAMPLE_MS', 2_000, { min: 200, max: 60_000 }),
    },
    source,
    SERVICE,
    (c) => checkSaslComplete(c.kafka),
  );
}
export type ConsoleConfig = ReturnType<typeof loadConsoleConfig>;
