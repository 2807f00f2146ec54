// The contract of libs/testing/jest/global-setup.mjs, as every int-spec sees it from a jest worker.
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { topicOffsets } from '../src/kafka-admin';

describe('int test infrastructure (jest globalSetup)', () => {
  it('gives every worker the run id, topic prefix, broker and database', () => {
    const runId = process.env.CLOSELOOP_TEST_RUN_ID;
    expect(runId).toMatch(/^[a-z0-9]+$/);
    expect(process.env.KAFKA_TOPIC_PREFIX).toBe(`t${runId}.`);
    expect(process.env.KAFKA_BROKERS).toBeTruthy();
    expect(process.env.DATABASE_URL).toContain(`/closeloop_test_${runId}`);
  });

  it('DATABASE_URL points at this run’s fresh database', async () => {
    const client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query('select current_database() as db, count(*)::int as tables from information_schema.tables where table_schema = $1', ['public']);
      expect(rows[0].db).toBe(`closeloop_test_${process.env.CLOSELOOP_TEST_RUN_ID}`);
      expect(rows[0].tables).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('KAFKA_BROKERS answers, and topics with the run prefix can be created and used', async () => {
    const kafka = new Kafka({ clientId: 'infra-int-spec', brokers: (process.env.KAFKA_BROKERS ?? '').split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const topic = `${process.env.KAFKA_TOPIC_PREFIX}infra.smoke`;
    try {
      const cluster = await admin.describeCluster();
      expect(cluster.brokers.length).toBeGreaterThan(0);
      await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'v' }] });
      await producer.disconnect();
      const offsets = await topicOffsets(kafka, topic);
      expect(offsets.map((o) => o.high)).toEqual([1]);
      // Left in place on purpose: global teardown deletes every topic with the run prefix.
    } finally {
      await admin.disconnect();
    }
  });
});
