#!/usr/bin/env node
// Infrastructure for humans and CI:
//   node tools/infra/cli.mjs up [--kafka-port N] [--kafka-data DIR] [--kafka-libs DIR] [--embedded-pg]
//       provisions Kafka + Postgres, prints KAFKA_BROKERS=… and DATABASE_URL=… (the server's admin URL) on stdout,
//       and keeps them up until Ctrl-C. Export those lines in other shells to share one broker and one server.
//   node tools/infra/cli.mjs fetch [--libs DIR]
//       downloads and verifies the local broker's jars (default into .closeloop/kafka/libs; e.g. a CI cache warm-up).
import { parseArgs } from 'node:util';
import { ensureKafkaJars } from './kafka.mjs';
import { provisionInfra } from './index.mjs';

const USAGE = 'usage: node tools/infra/cli.mjs up [--kafka-port N] [--kafka-data DIR] [--kafka-libs DIR] [--embedded-pg] | fetch [--libs DIR]';

async function up(args) {
  const { values } = parseArgs({
    args,
    options: { 'kafka-port': { type: 'string' }, 'kafka-data': { type: 'string' }, 'kafka-libs': { type: 'string' }, 'embedded-pg': { type: 'boolean' } },
  });
  const port = values['kafka-port'] === undefined ? undefined : Number(values['kafka-port']);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`--kafka-port: not a port: ${values['kafka-port']}`);

  // Our own handlers own the shutdown order (the infra guards then leave the signal to us).
  let stopping;
  const infraReady = provisionInfra({ kafka: { port, dataDir: values['kafka-data'], libsDir: values['kafka-libs'] }, postgres: { forceEmbedded: values['embedded-pg'] } });
  const shutdown = (signal) => {
    if (stopping) process.exit(1); // second Ctrl-C: the exit hooks SIGKILL what is left
    console.error(`\n[infra] ${signal}: stopping…`);
    stopping = infraReady.then((infra) => infra.stop()).then(() => process.exit(0), (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, shutdown);

  const infra = await infraReady;
  if (stopping) return;
  console.log(`KAFKA_BROKERS=${infra.kafka.brokers}`);
  console.log(`DATABASE_URL=${infra.postgres.url}`);
  console.error(`[infra] Kafka (${infra.kafka.source}) and Postgres (${infra.postgres.source}) are up. Ctrl-C stops them.`);
  setInterval(() => {}, 1 << 30); // the children are unref'd: stay alive until a signal
}

const [command, ...rest] = process.argv.slice(2);
try {
  if (command === 'up') await up(rest);
  else if (command === 'fetch') {
    const { values } = parseArgs({ args: rest, options: { libs: { type: 'string' } } });
    console.log(await ensureKafkaJars({ libsDir: values.libs }));
  }
  else {
    console.error(USAGE);
    process.exitCode = 2;
  }
} catch (err) {
  console.error(`[infra] ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
