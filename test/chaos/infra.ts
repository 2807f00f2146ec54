import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/**
 * Kafka (and optionally Postgres) that a chaos test owns and may kill: a local KRaft broker and an embedded Postgres
 * started by tools/infra in a child process (test/chaos/infra-agent.mjs). The shared broker and the shared
 * 127.0.0.1:5432 server are never touched.
 */
export interface ChaosInfra {
  brokers: string;
  /** Admin URL of the embedded Postgres (null when not asked for). */
  postgresUrl: string | null;
  /** How many brokers: 1, or the size of the local cluster (`--brokers N`). */
  brokerCount: number;
  /** SIGKILL a broker (the only one, or cluster node `node`, 0-based); data kept. */
  killKafka(node?: number): Promise<void>;
  /** Start it again (same port, same data); resolves once it answers (in a cluster: is counted again). Returns how long that took. */
  restartKafka(node?: number): Promise<number>;
  /** `pg_ctl stop -m immediate` (SIGQUIT to the postmaster). */
  stopPostgresImmediate(): Promise<void>;
  restartPostgres(): Promise<number>;
  stop(): Promise<void>;
}

export async function startChaosInfra(opts: { postgres?: boolean; brokers?: number; timeoutMs?: number } = {}): Promise<ChaosInfra> {
  const brokerCount = opts.brokers ?? 1;
  const args = [...(opts.postgres ? ['--postgres'] : []), ...(brokerCount > 1 ? ['--brokers', String(brokerCount)] : [])];
  const child: ChildProcess = fork(path.join(__dirname, 'infra-agent.mjs'), args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, KAFKA_BROKERS: '', DATABASE_URL: '' },
  });
  const pending = new Map<string, { resolve(v: any): void; reject(e: Error): void }>();
  let seq = 0;
  let exited = false;
  child.on('message', (msg: { id: string; ok: boolean; value?: any; error?: string }) => {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.value);
    else p.reject(new Error(msg.error));
  });
  child.on('exit', (code) => {
    exited = true;
    for (const p of pending.values()) p.reject(new Error(`chaos infra agent exited (${code})`));
    pending.clear();
  });
  const ready = new Promise<{ brokers: string; postgresUrl: string | null }>((resolve, reject) => {
    pending.set('ready', { resolve, reject });
    setTimeout(() => reject(new Error('chaos infra did not start in time')), opts.timeoutMs ?? 180_000).unref();
  });
  const call = (cmd: string, args: Record<string, unknown> = {}): Promise<any> => {
    if (exited) return Promise.reject(new Error('chaos infra agent is gone'));
    const id = String(++seq);
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      child.send({ id, cmd, args });
    });
  };
  let info: { brokers: string; postgresUrl: string | null };
  try {
    info = await ready;
  } catch (err) {
    child.kill('SIGTERM');
    throw err;
  }
  return {
    brokers: info.brokers,
    postgresUrl: info.postgresUrl,
    brokerCount,
    killKafka: async (node = 0) => {
      await call('kafka.kill', { node });
    },
    restartKafka: async (node = 0) => (await call('kafka.restart', { node })).ms,
    stopPostgresImmediate: async () => {
      await call('postgres.immediate');
    },
    restartPostgres: async () => (await call('postgres.restart')).ms,
    stop: async () => {
      if (exited) return;
      const gone = new Promise((r) => child.once('exit', r));
      await call('stop').catch(() => undefined);
      // a timer left running would keep jest (or the runner) alive for its whole length after the agent exited
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([gone, new Promise((r) => (timer = setTimeout(r, 30_000)))]);
      clearTimeout(timer);
      if (!exited) child.kill('SIGKILL');
    },
  };
}
