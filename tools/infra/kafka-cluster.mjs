// A local KRaft cluster of N brokers (default 3) from the same pinned jars as the single broker: every node is broker
// and controller, the controllers form one quorum, topics are replicated N times and acks=all needs N-1 in sync, so
// one broker can be SIGKILLed at a time without refusing a write (`npm run test:chaos -- --brokers 3`).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LOG4J2, assertJava, ensureKafkaJars, jvmOptions, randomClusterId, runCommand, serverProperties, waitForBroker } from './kafka.mjs';
import { guard, pickFreePort, removeDirSync, spawnChild, toLogger } from './process.mjs';

/**
 * @typedef {object} ClusterNode
 * @property {number} id  node.id (1…N)
 * @property {string} address  "127.0.0.1:<port>"
 * @property {number} pid  the running JVM (changes on restart)
 * @property {() => boolean} running
 * @property {() => Promise<void>} kill  SIGKILL; data kept
 * @property {() => Promise<number>} restart  start again (same ports, same data) and wait until the cluster counts it again; ms taken
 */

/**
 * @typedef {object} LocalKafkaCluster
 * @property {string} brokers  comma-separated bootstrap list of every node
 * @property {ClusterNode[]} nodes
 * @property {() => Promise<void>} stop  SIGTERM every node (SIGKILL after 20 s) and remove the data
 */

/**
 * @param {{ nodes?: number, log?: any, libsDir?: string, readyTimeoutMs?: number }} [options]
 * @returns {Promise<LocalKafkaCluster>}
 */
export async function startLocalKafkaCluster(options = {}) {
  const log = toLogger(options.log);
  const count = options.nodes ?? 3;
  if (!Number.isInteger(count) || count < 1) throw new Error(`Kafka cluster: nodes must be a whole number ≥ 1 (got ${count})`);
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  const [libs] = await Promise.all([ensureKafkaJars({ log: options.log, libsDir: options.libsDir }), assertJava()]);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'closeloop-kafka-cluster-'));
  const ports = [];
  const taken = new Set();
  const freePort = async () => {
    for (;;) {
      const p = await pickFreePort();
      if (!taken.has(p)) {
        taken.add(p);
        return p;
      }
    }
  };
  for (let i = 0; i < count; i++) ports.push({ port: await freePort(), controllerPort: await freePort() });
  const voters = ports.map((p, i) => `${i + 1}@127.0.0.1:${p.controllerPort}`).join(',');
  const clusterId = randomClusterId();
  /** @type {(import('./process.mjs').ChildHandle | undefined)[]} */
  const children = new Array(count).fill(undefined);
  let stopped = false;

  const nodeDir = (i) => path.join(root, `node-${i + 1}`);
  const java = (i, ...args) => ['-cp', path.join(libs, '*'), ...jvmOptions(nodeDir(i)), ...args];
  const configOf = (i) => path.join(nodeDir(i), 'server.properties');
  const address = (i) => `127.0.0.1:${ports[i].port}`;

  const unguard = guard({
    name: 'kafka-cluster',
    shutdown: () => stop(),
    killSync: () => {
      for (const c of children) c?.killSync();
      removeDirSync(root);
    },
  });

  async function stop() {
    if (stopped) return;
    stopped = true;
    await Promise.allSettled(children.map((c) => c?.stop(20_000)));
    removeDirSync(root);
    unguard();
  }

  // format every node's log dir with the one cluster id (in parallel: each is a JVM start)
  await Promise.all(ports.map(async ({ port, controllerPort }, i) => {
    const logDir = path.join(nodeDir(i), 'logs');
    fs.mkdirSync(logDir, { recursive: true });
    fs.writeFileSync(configOf(i), serverProperties({ port, controllerPort, logDir, nodeId: i + 1, voters, replication: count }));
    fs.writeFileSync(path.join(nodeDir(i), 'log4j2.properties'), LOG4J2);
    const format = await runCommand('java', java(i, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', configOf(i), '--ignore-formatted'));
    if (format.code !== 0) throw new Error(`Kafka cluster: formatting node ${i + 1} failed (exit ${format.code}):\n${format.output.trim()}`);
  })).catch(async (err) => {
    await stop();
    throw err;
  });

  const launch = (i) => {
    children[i] = spawnChild('java', java(i, 'kafka.Kafka', configOf(i)), {
      cwd: nodeDir(i),
      tailLines: 80,
      // once stopping, the last nodes' controllers log every heartbeat of a node shutting down as an ERROR: not news
      onLine: (line) => (/\b(ERROR|FATAL)\b/.test(line) && !stopped ? log.warn(`kafka ${i + 1}: ${line}`) : log.debug(`kafka ${i + 1}: ${line}`)),
    });
  };

  /** Until the node at `i` answers and the cluster's metadata lists all `count` brokers. */
  const waitForNode = (i) => waitForBroker(address(i), readyTimeoutMs, children[i], count);

  const started = Date.now();
  try {
    for (let i = 0; i < count; i++) launch(i);
    await Promise.all(ports.map((_, i) => waitForNode(i)));
  } catch (err) {
    await stop();
    throw err;
  }
  log.info(`Kafka: local ${count}-broker cluster ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${ports.map((_, i) => address(i)).join(', ')})`);

  const nodes = ports.map((_, i) => ({
    id: i + 1,
    address: address(i),
    get pid() {
      return /** @type {number} */ (children[i]?.pid);
    },
    running: () => children[i]?.running() ?? false,
    async kill() {
      await children[i]?.kill();
    },
    async restart() {
      if (stopped) throw new Error('Kafka cluster: restart() after stop()');
      const t = Date.now();
      if (children[i]?.running()) await children[i].stop(20_000);
      launch(i);
      await waitForNode(i);
      return Date.now() - t;
    },
  }));
  return { brokers: nodes.map((n) => n.address).join(','), nodes, stop };
}
