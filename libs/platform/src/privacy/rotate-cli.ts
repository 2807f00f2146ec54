import { Client } from 'pg';
import { env, loadConfig, privacyEnv, type Env } from '../config';
import { PRIVACY_SCHEMA, rotateMasterKey, type Queryable } from './key-store';

/**
 * `npm run rotate-master-key` (ADR 0024): re-wraps every data key wrapped by CLOSELOOP_PREVIOUS_MASTER_KEY with
 * CLOSELOOP_MASTER_KEY. Events are not touched. Safe to run again (what is done is skipped) and while services run
 * with both keys set. Returns what it printed.
 */
export async function rotateMasterKeyCommand(source: Env = process.env): Promise<string> {
  const cfg = loadConfig(
    { url: env.url('DATABASE_URL', { required: true, protocols: ['postgres', 'postgresql'] }), keys: privacyEnv() },
    source,
    'rotate-master-key',
    (c) => (!c.keys.previous
      ? ['CLOSELOOP_PREVIOUS_MASTER_KEY: required for a rotation (the master key being replaced; CLOSELOOP_MASTER_KEY is the new one)']
      : c.keys.previous.id === c.keys.current.id ? ['CLOSELOOP_PREVIOUS_MASTER_KEY: is the same key as CLOSELOOP_MASTER_KEY'] : []),
  );
  const from = cfg.keys.previous;
  if (!from) throw new Error('unreachable: checked above');
  const client = new Client({ connectionString: cfg.url as string, application_name: 'closeloop-rotate-master-key' });
  await client.connect();
  try {
    const q: Queryable = { query: async (sql, params) => (await client.query(sql, params as unknown[])).rows };
    const rotated = await rotateMasterKey(async (work) => {
      await client.query('BEGIN');
      try {
        const r = await work(q);
        await client.query('COMMIT');
        return r;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    }, from, cfg.keys.current);
    const [{ others }] = await q.query(`SELECT count(*)::int AS others FROM "${PRIVACY_SCHEMA}".customer_key WHERE master_key_id <> $1`, [cfg.keys.current.id]);
    return `re-wrapped ${rotated} data key(s) from master key ${from.id} to ${cfg.keys.current.id}` +
      (others ? `; ${others} key(s) are wrapped by yet another master key and were left as they are` : '; every data key is now under the new master key');
  } finally {
    await client.end();
  }
}

/** The command line: prints the outcome, or the problem (exit 1). */
export function rotateMasterKeyCli(): void {
  rotateMasterKeyCommand().then(
    (line) => process.stdout.write(`${line}\n`),
    (err) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
