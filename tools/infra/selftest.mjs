#!/usr/bin/env node
// Self-test of tools/infra against the real thing (no mocks): `node tools/infra/selftest.mjs`; exits non-zero on failure.
// - local KRaft broker on free ports: create a topic, produce (acks -1) and consume; graceful restart and SIGKILL +
//   restart both keep the message; stop() leaves no JVM and no temp dir;
// - the broker does not outlive its parent: parent SIGTERM (no handler of its own) and parent SIGKILL;
// - Postgres as provisioned here (DATABASE_URL / Docker / 127.0.0.1:5432 / embedded) answers `select 1`;
// - the embedded Postgres, forced, starts, answers, restarts and stops.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import pg from 'pg';
import { startLocalKafka } from './kafka.mjs';
import { provisionPostgres } from './postgres.mjs';
import { isAlive, sleep } from './process.mjs';

const { Kafka, logLevel } = kafkajs;
const self = fileURLToPath(import.meta.url);

// Child mode: start a broker, report it, and wait to be signalled (no signal handlers of our own on purpose).
if (process.argv[2] === '--child-broker') {
  const kafka = await startLocalKafka({ log: false });
  process.stdout.write(`${JSON.stringify({ pid: kafka.pid, dataDir: kafka.dataDir })}\n`);
  setInterval(() => {}, 1 << 30);
} else {
  await main();
}

function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function rssMb(pid) {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return `${Math.round(kb / 1024)} MB`;
  } catch {
    return 'n/a';
  }
}

async function waitUntilGone(pid, ms) {
  const deadline = Date.now() + ms;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

async function readFirstMessage(brokers, topic) {
  const kafka = new Kafka({ clientId: 'infra-selftest', brokers: [brokers], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `selftest-${Date.now()}-${Math.random().toString(36).slice(2)}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    return await within(30_000, `consuming ${topic}`, new Promise((resolve, reject) => {
      consumer.run({ eachMessage: async ({ message }) => resolve(message.value?.toString()) }).catch(reject);
    }));
  } finally {
    await consumer.disconnect();
  }
}

async function selectOne(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('select 1 as one')).rows[0].one;
  } finally {
    await client.end();
  }
}

/** Starts `selftest.mjs --child-broker`, returns the child and the broker it reported. */
async function childWithBroker() {
  const child = spawn(process.execPath, [self, '--child-broker'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await within(120_000, 'child broker start', new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.on('exit', (code) => reject(new Error(`child exited (${code}) before reporting its broker`)));
  }));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, broker: JSON.parse(line) };
}

async function main() {
  const results = [];
  const step = async (name, fn) => {
    const started = Date.now();
    process.stdout.write(`… ${name}\n`);
    try {
      const detail = await fn();
      const line = `ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)${detail ? ` — ${detail}` : ''}`;
      results.push(line);
      process.stdout.write(`${line}\n`);
    } catch (err) {
      process.stdout.write(`FAIL ${name}: ${err instanceof Error ? err.stack : err}\n`);
      throw err;
    }
  };

  /** @type {Awaited<ReturnType<typeof startLocalKafka>> | undefined} */
  let kafka;
  const topic = 'selftest.roundtrip';
  const payload = `hello ${new Date().toISOString()}`;
  try {
    await step('local Kafka starts on free ports', async () => {
      kafka = await startLocalKafka({ log: false });
      await sleep(2_000);
      return `${kafka.brokers}, pid ${kafka.pid}, RSS ${rssMb(kafka.pid)}`;
    });
    const broker = /** @type {NonNullable<typeof kafka>} */ (kafka);

    await step('create a topic, produce with acks -1, consume', async () => {
      const client = new Kafka({ clientId: 'infra-selftest', brokers: [broker.brokers], logLevel: logLevel.NOTHING });
      const admin = client.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      await admin.disconnect();
      const producer = client.producer();
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: payload }] });
      await producer.disconnect();
      const read = await readFirstMessage(broker.brokers, topic);
      assert(read === payload, `read back "${read}"`);
      return `RSS ${rssMb(broker.pid)}`;
    });

    await step('graceful restart keeps the message', async () => {
      const before = broker.pid;
      await broker.restart();
      assert(broker.pid !== before && !isAlive(before), 'a new JVM replaced the old one');
      assert((await readFirstMessage(broker.brokers, topic)) === payload, 'message survives restart');
      return `pid ${before} → ${broker.pid}`;
    });

    await step('SIGKILL then restart keeps the message', async () => {
      const before = broker.pid;
      await broker.kill();
      assert(!isAlive(before), 'killed');
      await broker.restart();
      assert((await readFirstMessage(broker.brokers, topic)) === payload, 'message survives SIGKILL');
      return `pid ${before} → ${broker.pid}`;
    });

    await step('stop() ends the JVM and removes the temp data dir', async () => {
      const { pid, dataDir } = broker;
      await broker.stop();
      assert(await waitUntilGone(pid, 1_000), `java ${pid} is gone`);
      assert(!fs.existsSync(dataDir), `${dataDir} removed`);
      kafka = undefined;
    });

    await step('parent SIGTERM (no handler of its own) stops the broker and removes its data', async () => {
      const { child, exited, broker: b } = await childWithBroker();
      child.kill('SIGTERM');
      const exit = await within(30_000, 'child exit', exited);
      assert(exit.signal === 'SIGTERM', `child re-raised SIGTERM (got ${JSON.stringify(exit)})`);
      assert(await waitUntilGone(b.pid, 5_000), `java ${b.pid} is gone`);
      assert(!fs.existsSync(b.dataDir), `${b.dataDir} removed`);
    });

    if (process.platform === 'linux') {
      await step('parent SIGKILL: the kernel stops the broker (setpriv --pdeathsig)', async () => {
        const { child, exited, broker: b } = await childWithBroker();
        child.kill('SIGKILL');
        await exited;
        const gone = await waitUntilGone(b.pid, 30_000);
        fs.rmSync(b.dataDir, { recursive: true, force: true }); // nobody is left to remove it
        assert(gone, `java ${b.pid} is gone`);
      });
    }

    await step('Postgres as provisioned here answers select 1', async () => {
      const postgres = await provisionPostgres({ log: false });
      try {
        assert((await selectOne(postgres.url)) === 1, 'select 1');
        return postgres.source;
      } finally {
        await postgres.stop();
      }
    });

    await step('embedded Postgres (forced) starts, answers, restarts and stops', async () => {
      const postgres = await provisionPostgres({ log: false, forceEmbedded: true });
      try {
        assert(postgres.source === 'embedded', 'source is embedded');
        assert((await selectOne(postgres.url)) === 1, 'select 1');
        await postgres.restart?.();
        assert((await selectOne(postgres.url)) === 1, 'select 1 after restart');
        return postgres.url;
      } finally {
        await postgres.stop();
      }
    });
    process.stdout.write(`\nselftest passed (${results.length} checks)\n`);
  } catch {
    process.exitCode = 1;
  } finally {
    await kafka?.stop().catch(() => {});
  }
}
