/**
 * Which messages of a send Kafka did not answer for.
 *
 * kafkajs 2.2.4 can resolve a send without having sent part of it (tulios/kafkajs#1303, still open): a send spread
 * over several brokers keeps the answers of the brokers that answered and, when it retries after one failed, skips
 * every broker that already answered — so when the failed broker's partitions now lead on one of those (a broker
 * SIGKILLed in a cluster), their messages are never sent and the send still resolves. Its answer then lists no record
 * for those partitions. The producer gives every message its partition before sending (the same one kafkajs would
 * pick) and sends again the messages whose partition has no answer (`EventProducer.sendSerialized`).
 */
export interface Placed {
  topic: string;
  partition: number;
}

/** A partition's answer, as kafkajs' `send`/`sendBatch` resolve them (`RecordMetadata`). */
export interface PartitionAnswer {
  topicName: string;
  partition: number;
  errorCode: number;
}

/** The messages whose (topic, partition) has no answer without an error, in their order. */
export function unanswered<T extends Placed>(sent: readonly T[], answers: readonly PartitionAnswer[]): T[] {
  const answered = new Set(answers.filter((a) => a.errorCode === 0).map((a) => `${a.partition}\u0000${a.topicName}`));
  return sent.filter((m) => !answered.has(`${m.partition}\u0000${m.topic}`));
}
