import { readFileSync } from 'node:fs';
import { Kafka, KafkaConfig, logLevel, LogEntry, SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';

export interface KafkaSettings {
  brokers: string[];
  /** Prefixed to every topic and consumer group: isolates test runs and lets two stacks share a cluster. */
  topicPrefix: string;
  ssl?: boolean;
  sslCaFile?: string;
  saslMechanism?: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  saslUsername?: string;
  saslPassword?: string;
}

export function prefixed(settings: Pick<KafkaSettings, 'topicPrefix'>, name: string): string {
  return `${settings.topicPrefix}${name}`;
}

/** kafkajs log entries → pino, at matching levels (kafkajs' own console logger is noisy and unstructured). */
export function kafkaLogCreator(logger: Logger) {
  return () => ({ level, log }: LogEntry) => {
    const { message, ...extra } = log;
    const l = logger.child({ kafka: log.logger ?? 'kafkajs' });
    // "Response <Api>(…)" lines are protocol answers kafkajs retries by itself (coordinator loading, leader moving):
    // expected at a broker's start or restart; what still fails after its retries surfaces as an error in our code
    if (level === logLevel.ERROR && message?.startsWith('Response ')) l.debug(extra, message);
    else if (level === logLevel.ERROR) l.error(extra, message);
    else if (level === logLevel.WARN) l.warn(extra, message);
    else if (level === logLevel.INFO) l.debug(extra, message);
    else l.trace(extra, message);
  };
}

export function kafkaClientConfig(s: KafkaSettings, clientId: string, logger: Logger): KafkaConfig {
  const sasl: SASLOptions | undefined = s.saslMechanism
    ? ({ mechanism: s.saslMechanism, username: s.saslUsername ?? '', password: s.saslPassword ?? '' } as SASLOptions)
    : undefined;
  return {
    clientId,
    brokers: s.brokers,
    ssl: s.ssl ? (s.sslCaFile ? { ca: [readFileSync(s.sslCaFile, 'utf8')] } : true) : undefined,
    sasl,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    // survive a broker restart: keep reconnecting for about a minute per operation
    retry: { initialRetryTime: 300, maxRetryTime: 5_000, retries: 12 },
  };
}

export function createKafka(s: KafkaSettings, clientId: string, logger: Logger): Kafka {
  return new Kafka(kafkaClientConfig(s, clientId, logger));
}
