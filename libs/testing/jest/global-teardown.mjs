// Jest globalTeardown of the `int` project: leaves nothing behind. Deletes this run's topics and consumer groups,
// drops its database, and stops Kafka/Postgres if globalSetup started them (a shared KAFKA_BROKERS/DATABASE_URL stays up).
import kafkajs from 'kafkajs';
import { dropDatabase } from '../../../tools/infra/index.mjs';
import { STATE_KEY } from './global-setup.mjs';

const { Kafka, logLevel } = kafkajs;
const log = (msg) => process.stderr.write(`[int teardown] ${msg}\n`);

async function deleteRunTopicsAndGroups(brokers, prefix) {
  const admin = new Kafka({ clientId: 'closeloop-int-teardown', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix));
    if (groups.length > 0) {
      // A group whose consumers are still connected cannot be deleted; that is a test that did not disconnect.
      await admin.deleteGroups(groups).catch((err) => {
        const failed = (err.groups ?? []).filter((g) => g.errorCode && g.error?.type !== 'GROUP_ID_NOT_FOUND');
        if (failed.length > 0 || !err.groups) {
          log(`could not delete consumer groups: ${failed.map((g) => `${g.groupId} (${g.error?.type ?? g.errorCode})`).join(', ') || err.message}`);
        }
      });
    }
    return { topics: topics.length, groups: groups.length };
  } finally {
    await admin.disconnect();
  }
}

export default async function globalTeardown() {
  const state = globalThis[STATE_KEY];
  if (!state) return;
  delete globalThis[STATE_KEY];
  const { infra, dbName, adminUrl, topicPrefix } = state;
  const problems = [];
  const [kafka, db] = await Promise.allSettled([
    deleteRunTopicsAndGroups(infra.kafka.brokers, topicPrefix),
    dropDatabase(adminUrl, dbName),
  ]);
  if (kafka.status === 'rejected') problems.push(`deleting ${topicPrefix}* topics: ${kafka.reason?.message ?? kafka.reason}`);
  if (db.status === 'rejected') problems.push(`dropping ${dbName}: ${db.reason?.message ?? db.reason}`);
  await infra.stop().catch((err) => problems.push(`stopping infrastructure: ${err.message}`));
  if (problems.length > 0) throw new Error(`int teardown left things behind:\n- ${problems.join('\n- ')}`);
  if (kafka.status === 'fulfilled') log(`deleted ${kafka.value.topics} topics and ${kafka.value.groups} groups with prefix ${topicPrefix}, dropped ${dbName}`);
}
