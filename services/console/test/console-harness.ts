import { AddressInfo } from 'node:net';
import { INestApplication } from '@nestjs/common';
import { runMigrations } from '@closeloop/platform';
import { testInfra, testKafkaSettings, uniqueName } from '@closeloop/testing';
import { loadConsoleConfig } from '../src/config';
import { databaseOptions } from '../src/database';
import { startConsole } from '../src/app';

export const AGENT_TOKEN = 'tok-ayse-0123456789';
export const OTHER_TOKEN = 'tok-mehmet-0123456789';
/** config/closeloop.yaml: emre is ops, dewi admin (SPEC §12). The harness calls as the admin unless told otherwise. */
export const OPS_TOKEN = 'tok-emre-0123456789';
export const ADMIN_TOKEN = 'tok-dewi-0123456789';

/** A console on a free port with its own topic prefix and schema; `env` overrides anything. */
export async function startTestConsole(label: string, env: Record<string, string> = {}) {
  const { databaseUrl } = testInfra();
  const kafka = testKafkaSettings(label);
  const cfg = loadConsoleConfig({
    KAFKA_BROKERS: kafka.brokers.join(','),
    KAFKA_TOPIC_PREFIX: kafka.topicPrefix,
    DATABASE_URL: databaseUrl,
    DATABASE_SCHEMA: uniqueName('console'),
    API_TOKENS: `ayse:${AGENT_TOKEN},mehmet:${OTHER_TOKEN},emre:${OPS_TOKEN},dewi:${ADMIN_TOKEN}`,
    CONSOLE_PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    CONSOLE_OPS_SAMPLE_MS: '300',
    ...env,
  });
  await runMigrations(databaseOptions(cfg));
  const app: INestApplication = await startConsole(cfg);
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;
  const api = async (path: string, init: RequestInit & { token?: string | null } = {}) => {
    const { token = ADMIN_TOKEN, ...rest } = init;
    const res = await fetch(`${base}${path}`, {
      ...rest,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(rest.body ? { 'content-type': 'application/json' } : {}), ...(rest.headers ?? {}) },
    });
    const text = await res.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, type: res.headers.get('content-type'), body };
  };
  return { app, cfg, base, api, prefix: kafka.topicPrefix };
}
