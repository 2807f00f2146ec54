// The peers: Kafka's own performance tools (kafka-tools 3.9.1 from Maven Central), run on the same broker, with the
// same record size and partition count as Closeloop's topics. Parsers are pure functions of the tools' stdout.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const num = (s) => (s === undefined ? null : Number(s));

/**
 * ProducerPerformance's summary line:
 * `300000 records sent, 28116.2 records/sec (16.09 MB/sec), 1606.65 ms avg latency, 2362.00 ms max latency, 1793 ms 50th, 2268 ms 95th, 2301 ms 99th, 2339 ms 99.9th.`
 */
export function parseProducerPerformance(stdout) {
  const re = /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th/;
  const m = re.exec(stdout);
  if (!m) throw new Error(`ProducerPerformance: no summary line in its output:\n${stdout.slice(-1500)}`);
  return {
    records: num(m[1]), recordsPerSec: num(m[2]), mbPerSec: num(m[3]), avgLatencyMs: num(m[4]), maxLatencyMs: num(m[5]),
    p50LatencyMs: num(m[6]), p95LatencyMs: num(m[7]), p99LatencyMs: num(m[8]), p999LatencyMs: num(m[9]),
  };
}

/**
 * ConsumerPerformance prints a CSV header and one data line:
 * `start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec`
 */
export function parseConsumerPerformance(stdout) {
  const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  const h = lines.findIndex((l) => l.startsWith('start.time'));
  if (h < 0 || !lines[h + 1]) throw new Error(`ConsumerPerformance: no result line in its output:\n${stdout.slice(-1500)}`);
  const header = lines[h].split(',').map((s) => s.trim());
  const values = lines[h + 1].split(',').map((s) => s.trim());
  const get = (name) => num(values[header.indexOf(name)]);
  return {
    messages: get('data.consumed.in.nMsg'), mb: get('data.consumed.in.MB'),
    msgPerSec: get('nMsg.sec'), mbPerSec: get('MB.sec'),
    rebalanceMs: get('rebalance.time.ms'), fetchMs: get('fetch.time.ms'),
    fetchMsgPerSec: get('fetch.nMsg.sec'), fetchMbPerSec: get('fetch.MB.sec'),
  };
}

/** EndToEndLatency: `Avg latency: 4.4764 ms` and `Percentiles: 50th = 3, 99th = 20, 99.9th = 87`. */
export function parseEndToEndLatency(stdout) {
  const avg = /Avg latency: ([\d.]+) ms/.exec(stdout);
  const p = /Percentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)/.exec(stdout);
  if (!avg || !p) throw new Error(`EndToEndLatency: no summary in its output:\n${stdout.slice(-1500)}`);
  return { avgMs: num(avg[1]), p50Ms: num(p[1]), p99Ms: num(p[2]), p999Ms: num(p[3]) };
}

/** Runs one tool class with a bounded time; resolves with its stdout (stderr kept for errors). */
function runTool(libsDir, log4jFile, mainClass, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    // kafka-run-class.sh's defaults for the tools: a 256 MB heap, G1.
    const child = spawn('java', ['-Xmx256m', '-XX:+UseG1GC', '-Djava.awt.headless=true', `-Dlog4j.configuration=file:${log4jFile}`,
      '-cp', path.join(libsDir, '*'), mainClass, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${mainClass.split('.').pop()} exited with ${signal ?? code}${signal === 'SIGKILL' ? ` (time limit ${timeoutMs / 1000} s)` : ''}:\n${(stderr || stdout).trim().split('\n').slice(-15).join('\n')}`));
    });
  });
}

/**
 * ProducerPerformance (acks=all, unthrottled) fills a fresh topic; ConsumerPerformance reads that backlog back with a
 * fresh group; EndToEndLatency measures the produce→consume round trip one message at a time on another topic.
 * @param {{ admin: import('kafkajs').Admin, brokers: string, libsDir: string, topicPrefix: string, recordSize: number,
 *   partitions: number, records: number, e2eMessages: number, log: (m: string) => void }} o
 */
export async function runPeers(o) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'closeloop-bench-tools-'));
  const log4j = path.join(dir, 'tools-log4j.properties');
  writeFileSync(log4j, 'log4j.rootLogger=WARN, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\nlog4j.appender.stderr.Target=System.err\nlog4j.appender.stderr.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stderr.layout.ConversionPattern=%p %m (%c)%n\n');
  const perfTopic = `${o.topicPrefix}peer.perf`;
  const e2eTopic = `${o.topicPrefix}peer.e2e`;
  const result = { errors: [] };
  try {
    await o.admin.createTopics({
      waitForLeaders: true,
      topics: [perfTopic, e2eTopic].map((topic) => ({ topic, numPartitions: o.partitions, replicationFactor: -1 })),
    });

    o.log(`ProducerPerformance: ${o.records} records × ${o.recordSize} B, acks=all, unthrottled, ${o.partitions} partitions…`);
    try {
      const out = await runTool(o.libsDir, log4j, 'org.apache.kafka.tools.ProducerPerformance', [
        '--topic', perfTopic, '--num-records', String(o.records), '--record-size', String(o.recordSize), '--throughput', '-1',
        '--producer-props', `bootstrap.servers=${o.brokers}`, 'acks=all',
      ], 180_000);
      result.producerPerformance = { ...parseProducerPerformance(out), recordSize: o.recordSize, acks: 'all', topic: perfTopic };
    } catch (err) {
      result.errors.push(`ProducerPerformance: ${err.message}`);
    }

    if (result.producerPerformance) {
      o.log(`ConsumerPerformance: reading those ${o.records} records back with a fresh group…`);
      try {
        const out = await runTool(o.libsDir, log4j, 'org.apache.kafka.tools.ConsumerPerformance', [
          '--bootstrap-server', o.brokers, '--topic', perfTopic, '--messages', String(o.records),
          '--group', `${o.topicPrefix}peer-consumer`, '--timeout', '30000',
        ], 120_000);
        result.consumerPerformance = { ...parseConsumerPerformance(out), topic: perfTopic };
      } catch (err) {
        result.errors.push(`ConsumerPerformance: ${err.message}`);
      }
    }

    o.log(`EndToEndLatency: ${o.e2eMessages} messages × ${o.recordSize} B, acks=all, one at a time…`);
    try {
      const out = await runTool(o.libsDir, log4j, 'org.apache.kafka.tools.EndToEndLatency',
        [o.brokers, e2eTopic, String(o.e2eMessages), 'all', String(o.recordSize)], 120_000);
      result.endToEndLatency = { ...parseEndToEndLatency(out), messages: o.e2eMessages, recordSize: o.recordSize, topic: e2eTopic };
    } catch (err) {
      result.errors.push(`EndToEndLatency: ${err.message}`);
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
