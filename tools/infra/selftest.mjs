#!/usr/bin/env node
// Self-test of tools/infra against the real thing (no mocks): `node tools/infra/selftest.mjs`; exits non-zero on failure.
// - the broker's jars: downloaded from Maven Central by Node with `mvn` hidden from PATH into a temp dir, verified,
//   and a broker starts from them; a jar whose sha256 does not match the pinned list is refused and never written;
// - local KRaft broker on free ports: create a topic, produce (acks -1) and consume; graceful restart and SIGKILL +
//   restart both keep the message; stop() leaves no JVM and no temp dir;
// - the broker does not outlive its parent: parent SIGTERM (no handler of its own) and parent SIGKILL;
// - Postgres as provisioned here (DATABASE_URL / Docker / 127.0.0.1:5432 / embedded) answers `select 1`;
// - the embedded Postgres, forced, starts, answers, restarts and stops (throwaway: fsync off, temp dir removed);
// - the embedded Postgres with a data dir (`npm start`'s): fsync on, a committed row survives stop and a new start.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import pg from 'pg';
import { fetchKafkaJars, jarFileName, readJarList } from './kafka-jars.mjs';
import { startLocalKafka } from './kafka.mjs';
import { startLocalKafkaCluster } from './kafka-cluster.mjs';
import { provisionPostgres, startEmbeddedPostgres } from './postgres.mjs';
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

async function query(url, sql, params = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function selectOne(url) {
  return (await query(url, 'select 1 as one'))[0].one;
}

/** A temp dir whose PATH entry holds only `node` (and `java` when asked): no mvn, whatever the machine has. */
function binDirWithout(tools) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'closeloop-bin-'));
  fs.symlinkSync(process.execPath, path.join(dir, 'node'));
  for (const tool of tools) {
    const where = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    if (where) fs.symlinkSync(fs.realpathSync(where), path.join(dir, tool));
  }
  return dir;
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
  // SELFTEST_ONLY=<text>: only the checks whose name contains it (e.g. "3-broker"; the single broker's checks need
  // "local Kafka starts" to run too)
  const only = process.env.SELFTEST_ONLY;
  const step = async (name, fn) => {
    if (only && !name.includes(only)) return;
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
  const temps = [];
  const tempDir = (prefix) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    temps.push(dir);
    return dir;
  };
  try {
    await step('jars from Maven Central with mvn hidden from PATH: downloaded, verified, a broker starts from them', async () => {
      const bin = binDirWithout([]);
      temps.push(bin);
      const libsDir = path.join(tempDir('closeloop-libs-'), 'libs');
      const fetched = spawnSync(process.execPath, [path.join(path.dirname(self), 'cli.mjs'), 'fetch', '--libs', libsDir],
        { env: { ...process.env, PATH: bin }, encoding: 'utf8' });
      assert(fetched.status === 0, `cli.mjs fetch exited ${fetched.status}: ${fetched.stderr}`);
      assert(spawnSync('sh', ['-c', 'command -v mvn'], { env: { PATH: bin } }).status !== 0, 'mvn was not reachable');
      const { jars } = readJarList();
      const names = fs.readdirSync(libsDir).filter((n) => n.endsWith('.jar')).sort();
      assert(JSON.stringify(names) === JSON.stringify(jars.map((j) => jarFileName(j.coordinates)).sort()), 'exactly the pinned jars');
      assert(!fs.readdirSync(libsDir).some((n) => n.endsWith('.part')), 'no partial download left');
      const broker = await startLocalKafka({ log: false, libsDir });
      try {
        const t = 'selftest.fresh-jars';
        const client = new Kafka({ clientId: 'infra-selftest', brokers: [broker.brokers], logLevel: logLevel.NOTHING });
        const admin = client.admin();
        await admin.connect();
        await admin.createTopics({ topics: [{ topic: t, numPartitions: 1 }], waitForLeaders: true });
        await admin.disconnect();
        const producer = client.producer();
        await producer.connect();
        await producer.send({ topic: t, acks: -1, messages: [{ value: 'from fresh jars' }] });
        await producer.disconnect();
        assert((await readFirstMessage(broker.brokers, t)) === 'from fresh jars', 'round trip');
      } finally {
        await broker.stop();
      }
      return `${jars.length} jars; broker ${broker.brokers}`;
    });

    await step('a jar whose sha256 does not match the pinned list is refused and never written', async () => {
      const libsDir = tempDir('closeloop-libs-');
      const [jar] = readJarList().jars;
      const list = { kafkaVersion: 'test', roots: [], jars: [{ ...jar, sha256: '0'.repeat(64) }] };
      const error = await fetchKafkaJars({ libsDir, list, log: false }).then(() => undefined, (err) => err);
      assert(/checksum mismatch/.test(String(error?.message)), `refused (got ${error?.message ?? 'success'})`);
      assert(fs.readdirSync(libsDir).length === 0, `nothing written (found ${fs.readdirSync(libsDir).join(', ')})`);
    });

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
        assert((await query(postgres.url, 'show fsync'))[0].fsync === 'off', 'throwaway server: fsync off');
        await postgres.restart?.();
        assert((await selectOne(postgres.url)) === 1, 'select 1 after restart');
        return postgres.url;
      } finally {
        await postgres.stop();
      }
    });

    await step("embedded Postgres with a data dir (npm start's): fsync on, data kept across stop and a new start", async () => {
      const parent = tempDir('closeloop-pgkeep-');
      fs.chmodSync(parent, 0o755); // as root the server runs as user postgres, which must reach it (like a checkout)
      const dataDir = path.join(parent, 'postgres');
      const first = await startEmbeddedPostgres({ log: false, dataDir });
      try {
        assert((await query(first.url, 'show fsync'))[0].fsync === 'on', 'fsync on');
        await query(first.url, 'create table kept (v text)');
        await query(first.url, 'insert into kept values ($1)', ['ticket 1']);
      } finally {
        await first.stop();
      }
      assert(fs.existsSync(path.join(dataDir, 'pgdata', 'PG_VERSION')), 'data dir kept after stop');
      const second = await startEmbeddedPostgres({ log: false, dataDir });
      try {
        const rows = await query(second.url, 'select v from kept');
        assert(rows.length === 1 && rows[0].v === 'ticket 1', `row survives (got ${JSON.stringify(rows)})`);
      } finally {
        await second.stop();
      }
      assert(fs.existsSync(path.join(dataDir, 'pgdata', 'PG_VERSION')), 'data dir kept after the second stop');
    });
    await step('a 3-broker cluster: replication 3, acks=all keeps writing with one broker SIGKILLed, the broker rejoins', async () => {
      const cluster = await startLocalKafkaCluster({ log: false, nodes: 3 });
      try {
        const client = new Kafka({ clientId: 'infra-selftest', brokers: cluster.brokers.split(','), logLevel: logLevel.NOTHING });
        const admin = client.admin();
        await admin.connect();
        const t = 'selftest.replicated';
        await admin.createTopics({ topics: [{ topic: t, numPartitions: 3 }] });
        // a broker that has not yet learnt of the new topic answers UNKNOWN_TOPIC_OR_PARTITION for a moment
        const meta = await within(30_000, 'leaders of the new topic', (async () => {
          for (;;) {
            const m = await admin.fetchTopicMetadata({ topics: [t] }).then((r) => r.topics[0], () => undefined);
            if (m && m.partitions.length === 3 && m.partitions.every((p) => p.leader >= 0)) return m;
            await sleep(200);
          }
        })());
        assert(meta.partitions.every((p) => p.replicas.length === 3), `every partition on 3 brokers (got ${meta.partitions.map((p) => p.replicas.length)})`);
        const { resources: [isr] } = await admin.describeConfigs({ resources: [{ type: 2, name: t, configNames: ['min.insync.replicas'] }], includeSynonyms: false });
        assert(isr.configEntries[0]?.configValue === '2', `min.insync.replicas 2 (got ${isr.configEntries[0]?.configValue})`);
        const producer = client.producer();
        await producer.connect();
        await producer.send({ topic: t, acks: -1, messages: [{ key: 'a', value: 'before' }] });
        await cluster.nodes[0].kill();
        await producer.send({ topic: t, acks: -1, messages: Array.from({ length: 30 }, (_, i) => ({ key: String(i), value: `while node 1 is down ${i}` })) });
        const restartMs = await cluster.nodes[0].restart();
        await producer.disconnect();
        await admin.disconnect();
        const consumer = client.consumer({ groupId: `selftest-cluster-${Date.now()}` });
        await consumer.connect();
        await consumer.subscribe({ topic: t, fromBeginning: true });
        const seen = new Set();
        await within(60_000, 'reading 31 messages', new Promise((resolve, reject) => {
          consumer.run({ eachMessage: async ({ message }) => {
            seen.add(message.value?.toString());
            if (seen.size === 31) resolve(undefined);
          } }).catch(reject);
        }));
        await consumer.disconnect();
        return `${cluster.brokers}; node 1 back in ${(restartMs / 1000).toFixed(1)} s; 31 of 31 messages read`;
      } finally {
        await cluster.stop();
      }
    });
    process.stdout.write(`\nselftest passed (${results.length} checks)\n`);
  } catch {
    process.exitCode = 1;
  } finally {
    await kafka?.stop().catch(() => {});
    for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
  }
}
