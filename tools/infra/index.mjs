// One entry point for `npm start`, `npm test` (jest globalSetup) and the infra CLI.
import { provisionKafka } from './kafka.mjs';
import { provisionPostgres } from './postgres.mjs';

export { startLocalKafkaCluster } from './kafka-cluster.mjs';
export { ensureKafkaJars, provisionKafka, startLocalKafka, waitForBroker, KAFKA_VERSION, kafkaLibsDir } from './kafka.mjs';
export { createDatabase, databaseUrl, dropDatabase, embeddedForced, provisionPostgres, redact, startEmbeddedPostgres } from './postgres.mjs';
export { fetchKafkaJars, readJarList } from './kafka-jars.mjs';

/**
 * @typedef {object} ProvisionedInfra
 * @property {import('./kafka.mjs').ProvisionedKafka} kafka
 * @property {import('./postgres.mjs').ProvisionedPostgres} postgres
 * @property {() => Promise<void>} stop  stops whatever this call started (Kafka and Postgres in parallel)
 */

/**
 * Provisions Kafka and Postgres in parallel. If one fails, the other is stopped before the error is rethrown.
 * @param {{ log?: any, kafka?: { port?: number, dataDir?: string, libsDir?: string }, postgres?: { forceEmbedded?: boolean, dataDir?: string } }} [options]
 * @returns {Promise<ProvisionedInfra>}
 */
export async function provisionInfra(options = {}) {
  const [kafka, postgres] = await Promise.allSettled([
    provisionKafka({ log: options.log, ...options.kafka }),
    provisionPostgres({ log: options.log, ...options.postgres }),
  ]);
  if (kafka.status === 'rejected' || postgres.status === 'rejected') {
    await Promise.allSettled([kafka, postgres].map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
    throw kafka.status === 'rejected' ? kafka.reason : /** @type {PromiseRejectedResult} */ (postgres).reason;
  }
  return {
    kafka: kafka.value,
    postgres: postgres.value,
    async stop() {
      const results = await Promise.allSettled([kafka.value.stop(), postgres.value.stop()]);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw /** @type {PromiseRejectedResult} */ (failed).reason;
    },
  };
}
