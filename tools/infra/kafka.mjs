// Kafka for `npm start`, `npm test` and benchmarks: KAFKA_BROKERS, else testcontainers where Docker answers, else a
// real single-node KRaft broker assembled from Maven Central jars (pinned in kafka-jars.json) and run with Java 17+.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { dockerRuntime } from './docker.mjs';
import { fetchKafkaJars, readJarList } from './kafka-jars.mjs';
import { guard, pickFreePort, removeDirSync, sleep, spawnChild, toLogger } from './process.mjs';

const { Kafka, logLevel } = kafkajs;

export const KAFKA_VERSION = '4.1.1';
export const KAFKA_IMAGE = `apache/kafka:${KAFKA_VERSION}`;
/** The local broker's classpath: the runtime closure of these roots, pinned with checksums in kafka-jars.json. */
export const KAFKA_ARTIFACTS = readJarList().roots;

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Git-ignored cache: jars in `libs/`, `npm start`'s broker data in `data/`. */
export const kafkaHome = path.join(repoRoot, '.closeloop', 'kafka');
export const kafkaLibsDir = path.join(kafkaHome, 'libs');

/**
 * @typedef {object} ProvisionedKafka
 * @property {string} brokers  comma-separated host:port list
 * @property {'env' | 'testcontainers' | 'local'} source
 * @property {() => Promise<void>} stop  no-op when the broker is not ours
 * @property {() => Promise<void>} [restart]  same address, data kept
 * @property {() => Promise<void>} [kill]  local broker only: SIGKILL, data kept (restart() brings it back)
 */

/**
 * @param {{ log?: any, port?: number, dataDir?: string, libsDir?: string }} [options]  port/dataDir/libsDir apply to the local broker only
 * @returns {Promise<ProvisionedKafka>}
 */
export async function provisionKafka(options = {}) {
  const log = toLogger(options.log);
  const fromEnv = process.env.KAFKA_BROKERS?.trim();
  if (fromEnv) {
    log.info(`Kafka: using KAFKA_BROKERS=${fromEnv}`);
    return { brokers: fromEnv, source: 'env', stop: async () => {} };
  }
  const testcontainers = await dockerRuntime(log);
  if (testcontainers) {
    const container = await startKafkaContainer(testcontainers, { log });
    return { ...container, source: 'testcontainers' };
  }
  const local = await startLocalKafka({ ...options, log });
  return { brokers: local.brokers, source: 'local', stop: local.stop, restart: local.restart, kill: local.kill };
}

// ---- jars and Java --------------------------------------------------------------------------------------------

export function runCommand(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (err) => reject(Object.assign(err, { output })));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/**
 * Makes sure the broker's jars are in `libsDir` (default `.closeloop/kafka/libs`): downloaded once from Maven Central
 * over HTTPS, each verified against the sha256 pinned in kafka-jars.json; later runs skip it. Concurrent callers are
 * safe: every jar is written to a temp file and renamed into place once verified.
 * @param {{ log?: any, libsDir?: string }} [options]
 * @returns {Promise<string>} the libs directory
 */
export async function ensureKafkaJars(options = {}) {
  const libsDir = options.libsDir ? path.resolve(options.libsDir) : kafkaLibsDir;
  const list = readJarList();
  if (list.kafkaVersion !== KAFKA_VERSION) throw new Error(`Kafka: kafka-jars.json pins ${list.kafkaVersion}, kafka.mjs expects ${KAFKA_VERSION}`);
  return fetchKafkaJars({ libsDir, log: options.log, list });
}

export function assertJava() {
  return runCommand('java', ['-version']).then(
    ({ code, output }) => {
      const major = Number(/version "(\d+)/.exec(output)?.[1] ?? 0);
      if (code !== 0 || major < 17) throw new Error(`Kafka: Java 17+ is needed for the local broker (found: ${output.split('\n')[0] || 'none'}). Install it, or set KAFKA_BROKERS.`);
    },
    () => {
      throw new Error('Kafka: java is not on PATH; Java 17+ is needed for the local broker. Install it, or set KAFKA_BROKERS.');
    },
  );
}

// ---- local broker ---------------------------------------------------------------------------------------------

/** Kafka's own cluster id format: 16 random bytes, base64url, never starting with '-' (it would read as a CLI flag). */
export function randomClusterId() {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * One KRaft node's server.properties: broker and controller in one process. A single node (the default) replicates
 * nothing; a cluster node names every voter and replicates each partition `replication` times, acks=all needing
 * `replication - 1` in sync (so one broker of three can be down without refusing a write).
 * @param {{ port: number, controllerPort: number, logDir: string, nodeId?: number, voters?: string, replication?: number }} o
 */
export function serverProperties({ port, controllerPort, logDir, nodeId = 1, voters = `1@127.0.0.1:${controllerPort}`, replication = 1 }) {
  const minIsr = Math.max(1, replication - 1);
  return `# Generated by tools/infra/kafka.mjs: KRaft, broker and controller in one process (node ${nodeId}).
process.roles=broker,controller
node.id=${nodeId}
controller.quorum.voters=${voters}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${logDir}
num.partitions=1
default.replication.factor=${replication}
min.insync.replicas=${minIsr}
offsets.topic.replication.factor=${replication}
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=${replication}
transaction.state.log.min.isr=${minIsr}
unclean.leader.election.enable=false
group.initial.rebalance.delay.ms=0
# After a SIGKILL the restarted broker cannot register until the controller expires its previous session
# (default 9 s: ~15 s restarts; now ~5 s). Broker and controller share this JVM, so a shorter session is safe.
broker.heartbeat.interval.ms=500
broker.session.timeout.ms=3000
# Services create their topics explicitly (with waitForLeaders); a typo must fail, not create a topic.
auto.create.topics.enable=false
`;
}

// Kafka 4 logs with log4j2 (through slf4j 1.7 → log4j-slf4j-impl); its properties format, not log4j 1's.
export const LOG4J2 = `# Generated by tools/infra/kafka.mjs: warnings and errors only, to stderr.
status = warn
appender.stderr.type = Console
appender.stderr.name = STDERR
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stderr.ref = STDERR
`;

export function jvmOptions(dataDir) {
  const heap = process.env.CLOSELOOP_KAFKA_HEAP || '256m';
  return [`-Xms${heap}`, `-Xmx${heap}`, '-server', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35', '-XX:+ExplicitGCInvokesConcurrent', '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${path.join(dataDir, 'log4j2.properties')}`];
}

/**
 * @typedef {object} LocalKafka
 * @property {string} brokers  "127.0.0.1:<port>"
 * @property {number} port
 * @property {number} controllerPort
 * @property {string} dataDir  holds server.properties, log4j2.properties and the log dir `logs/`
 * @property {number} pid  the running JVM (changes on restart)
 * @property {() => Promise<void>} stop  SIGTERM, SIGKILL after 20 s; removes dataDir when it was a temp dir
 * @property {() => Promise<void>} kill  SIGKILL (chaos tests); data kept
 * @property {() => Promise<void>} restart  stop gracefully (if running) and start again: same ports, same data
 */

/**
 * Starts a real single-node KRaft broker with the machine's Java. Resolves once kafkajs can describe the cluster.
 * @param {{ dataDir?: string, port?: number, controllerPort?: number, log?: any, readyTimeoutMs?: number, libsDir?: string }} [options]
 *   libsDir: where the jars are (fetched there first when missing); default `.closeloop/kafka/libs`
 * @returns {Promise<LocalKafka>}
 */
export async function startLocalKafka(options = {}) {
  const log = toLogger(options.log);
  const [libs] = await Promise.all([ensureKafkaJars({ log: options.log, libsDir: options.libsDir }), assertJava()]);
  const ownsDir = !options.dataDir;
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : fs.mkdtempSync(path.join(os.tmpdir(), 'closeloop-kafka-'));
  const pickPorts = async () => {
    port = options.port ?? (await pickFreePort());
    controllerPort = options.controllerPort ?? (await pickFreePort());
    while (controllerPort === port) controllerPort = await pickFreePort();
    brokers = `127.0.0.1:${port}`;
  };
  let port = 0;
  let controllerPort = 0;
  let brokers = '';
  await pickPorts();
  const logDir = path.join(dataDir, 'logs');
  const readyTimeoutMs = options.readyTimeoutMs ?? 90_000;

  fs.mkdirSync(logDir, { recursive: true });
  const config = path.join(dataDir, 'server.properties');
  const writeConfig = () => fs.writeFileSync(config, serverProperties({ port, controllerPort, logDir }));
  writeConfig();
  fs.writeFileSync(path.join(dataDir, 'log4j2.properties'), LOG4J2);
  const java = (...args) => ['-cp', path.join(libs, '*'), ...jvmOptions(dataDir), ...args];

  if (!fs.existsSync(path.join(logDir, 'meta.properties'))) {
    const format = await runCommand('java', java('kafka.tools.StorageTool', 'format', '-t', randomClusterId(), '-c', config, '--ignore-formatted'));
    if (format.code !== 0) {
      if (ownsDir) removeDirSync(dataDir);
      throw new Error(`Kafka: formatting ${logDir} failed (exit ${format.code}):\n${format.output.trim()}`);
    }
  }

  /** @type {import('./process.mjs').ChildHandle | undefined} */
  let child;
  let stopped = false;
  const unguard = guard({
    name: 'kafka',
    shutdown: () => stop(),
    killSync: () => {
      child?.killSync();
      if (ownsDir) removeDirSync(dataDir);
    },
  });

  async function launch() {
    const started = Date.now();
    child = spawnChild('java', java('kafka.Kafka', config), {
      cwd: dataDir,
      tailLines: 80,
      onLine: (line) => (/\b(ERROR|FATAL)\b/.test(line) ? log.warn(`kafka: ${line}`) : log.debug(`kafka: ${line}`)),
    });
    try {
      await waitForBroker(brokers, readyTimeoutMs, child);
    } catch (err) {
      await child.kill();
      throw err;
    }
    log.info(`Kafka: local broker ${brokers} ready in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${child.pid}, data ${dataDir})`);
  }

  async function stop() {
    if (stopped) return;
    stopped = true;
    await child?.stop(20_000);
    if (ownsDir) removeDirSync(dataDir);
    unguard();
  }

  try {
    try {
      await launch();
    } catch (err) {
      // A port picked a moment ago can be taken by another process before the JVM binds it: pick again, once.
      const picked = options.port === undefined || options.controllerPort === undefined;
      if (!(picked && /Address already in use/.test(String(err)))) throw err;
      log.warn(`Kafka: ${brokers} or controller port ${controllerPort} was taken meanwhile; picking new ports`);
      await pickPorts();
      writeConfig();
      await launch();
    }
  } catch (err) {
    stopped = true;
    if (ownsDir) removeDirSync(dataDir);
    unguard();
    throw err;
  }

  return {
    brokers,
    port,
    controllerPort,
    dataDir,
    get pid() {
      return /** @type {number} */ (child?.pid);
    },
    stop,
    async kill() {
      await child?.kill();
    },
    async restart() {
      if (stopped) throw new Error('Kafka: restart() after stop()');
      await child?.stop(20_000);
      await launch();
    },
  };
}

/**
 * Polls describeCluster until the broker answers and the cluster counts `minBrokers` brokers (a cluster node that
 * rejoins). Fails early, with the broker's last output, if the JVM exits.
 * @param {string} brokers
 * @param {number} timeoutMs
 * @param {{ running(): boolean, tail(): string }} [child]
 * @param {number} [minBrokers]
 */
export async function waitForBroker(brokers, timeoutMs, child, minBrokers = 1) {
  const deadline = Date.now() + timeoutMs;
  const kafka = new Kafka({
    clientId: 'closeloop-infra', brokers: brokers.split(','), logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000, requestTimeout: 3_000, retry: { retries: 0 },
  });
  let lastError;
  while (Date.now() < deadline) {
    if (child && !child.running()) {
      const tail = child.tail();
      const cause = tail.split('\n').reverse().find((line) => /^(Caused by: )?[\w.$]+(Exception|Error): /.test(line.trim()));
      throw new Error(`Kafka: the broker exited during start-up${cause ? ` (${cause.trim()})` : ''}. Its last output:\n${tail || '(none)'}`);
    }
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length >= minBrokers) return;
      lastError = new Error(`${cluster.brokers.length} of ${minBrokers} brokers registered`);
    } catch (err) {
      lastError = err;
    } finally {
      await admin.disconnect().catch(() => {});
    }
    await sleep(250);
  }
  throw new Error(`Kafka: ${brokers} did not answer describeCluster within ${timeoutMs / 1000} s` +
    ` (last error: ${lastError instanceof Error ? lastError.message : lastError}).` +
    (child ? ` The broker's last output:\n${child.tail() || '(none)'}` : ''));
}

// ---- testcontainers -------------------------------------------------------------------------------------------

/**
 * apache/kafka in KRaft mode. The client listener maps a host port picked here to the same container port, so the
 * advertised address is known before the container starts (no start-script rewrite as in @testcontainers/kafka).
 * BROKER is the in-container listener for the broker's own connections.
 * @param {typeof import('testcontainers')} testcontainers
 * @param {{ log: import('./process.mjs').Logger }} options
 */
async function startKafkaContainer(testcontainers, { log }) {
  const { GenericContainer, Wait, getContainerRuntimeClient } = testcontainers;
  const runtime = await getContainerRuntimeClient();
  const host = runtime.info.containerRuntime.host;
  let port = await pickFreePort();
  while (port === 9092 || port === 9093) port = await pickFreePort(); // taken inside the container
  log.info(`Kafka: starting ${KAFKA_IMAGE} with testcontainers…`);
  const container = await new GenericContainer(KAFKA_IMAGE)
    .withExposedPorts({ container: port, host: port })
    .withEnvironment({
      CLUSTER_ID: randomClusterId(),
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${port},BROKER://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${port},BROKER://localhost:9092`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'BROKER',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LOG_DIRS: '/tmp/kraft-combined-logs',
      KAFKA_NUM_PARTITIONS: '1',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(120_000)
    .start();
  const brokers = `${host}:${port}`;
  await waitForBroker(brokers, 60_000);
  log.info(`Kafka: container ${brokers} ready`);
  return {
    brokers,
    stop: async () => {
      await container.stop();
    },
    restart: async () => {
      await container.restart(); // the container's filesystem, and so the topic data, survives
      await waitForBroker(brokers, 60_000);
    },
  };
}
