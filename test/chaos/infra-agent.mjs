// A child process that owns a LOCAL Kafka broker (and optionally an embedded Postgres) for chaos tests, so that they
// can be killed and restarted without touching the shared infrastructure other people use. Forked with an IPC
// channel by test/chaos/infra.ts (jest cannot import tools/infra's ESM itself); commands arrive as
// `{ id, cmd }` messages, answers go back as `{ id, ok, value | error }`. If the parent goes away, everything stops.
import { startEmbeddedPostgres, startLocalKafka, startLocalKafkaCluster } from '../../tools/infra/index.mjs';

const wantPostgres = process.argv.includes('--postgres');
/** `--brokers N`: a local N-broker cluster (replication N, min.insync N-1) instead of one broker. */
const brokersAt = process.argv.indexOf('--brokers');
const brokerCount = brokersAt > 0 ? Number(process.argv[brokersAt + 1]) : 1;
const quiet = { info: () => {}, debug: () => {}, warn: (m) => process.stderr.write(`[chaos infra] ${m}\n`), error: (m) => process.stderr.write(`[chaos infra] ${m}\n`) };

let kafka;
let postgres;
let stopping = false;

async function stopAll() {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled([kafka?.stop(), postgres?.stop()]);
}

/** Waits until a pid is gone (signals to the JVM/postmaster are asynchronous). */
async function gone(pid, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) throw new Error(`pid ${pid} still alive after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The broker a command names: the only one, or node `node` (0-based) of the cluster. */
function broker(node = 0) {
  if (!kafka.nodes) return kafka;
  const n = kafka.nodes[node];
  if (!n) throw new Error(`no broker ${node} (the cluster has ${kafka.nodes.length})`);
  return n;
}

const commands = {
  /** SIGKILL a broker (data kept). */
  'kafka.kill': async ({ node }) => {
    const b = broker(node);
    await b.kill();
    return { pid: b.pid };
  },
  /** Start it again on the same port with the same data; resolves once it answers (and, in a cluster, is counted again). */
  'kafka.restart': async ({ node }) => {
    const t = Date.now();
    await broker(node).restart();
    return { ms: Date.now() - t, pid: broker(node).pid };
  },
  /** `pg_ctl stop -m immediate`: SIGQUIT to the postmaster (no checkpoint; crash recovery on the next start). */
  'postgres.immediate': async () => {
    const pid = postgres.pid;
    process.kill(pid, 'SIGQUIT');
    await gone(pid);
    return { pid };
  },
  'postgres.restart': async () => {
    const t = Date.now();
    await postgres.restart();
    return { ms: Date.now() - t, pid: postgres.pid };
  },
  stop: async () => {
    await stopAll();
    return {};
  },
};

process.on('message', async (msg) => {
  const fn = commands[msg?.cmd];
  try {
    if (!fn) throw new Error(`unknown command ${msg?.cmd}`);
    process.send({ id: msg.id, ok: true, value: await fn(msg.args ?? {}) });
  } catch (err) {
    process.send({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
  if (msg?.cmd === 'stop') process.disconnect();
});

process.on('disconnect', () => {
  void stopAll().finally(() => process.exit(0));
});

try {
  [kafka, postgres] = await Promise.all([
    brokerCount > 1 ? startLocalKafkaCluster({ log: quiet, nodes: brokerCount }) : startLocalKafka({ log: quiet }),
    wantPostgres ? startEmbeddedPostgres({ log: quiet }) : Promise.resolve(undefined),
  ]);
  process.send({ id: 'ready', ok: true, value: { brokers: kafka.brokers, kafkaPid: kafka.pid, postgresUrl: postgres?.url ?? null } });
} catch (err) {
  process.send({ id: 'ready', ok: false, error: err instanceof Error ? err.message : String(err) });
  await stopAll();
  process.exit(1);
}
