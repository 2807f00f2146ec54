import { ALL_TOPICS, DlqHeader, dlqTopicOf } from '@closeloop/contracts';
import { DLQ_REPLAY_MAX_AGE_DAYS, INBOX_RETENTION_DAYS } from '@closeloop/messaging';
import { maskPersonalFields } from './personal-fields';

/** A dead letter as the console keeps and shows it (topic names are logical, without KAFKA_TOPIC_PREFIX). */
export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

const cut = (text: string) => (text.length > 500 ? `${text.slice(0, 500)}…` : text);

export const DLQ_TOPICS: readonly string[] = ALL_TOPICS.map((t) => dlqTopicOf(t));

export function headersToStrings(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined || v === null) continue;
    out[k] = Array.isArray(v) ? v.map((x) => String(x)).join(',') : String(v);
  }
  return out;
}

/**
 * What the ops page shows of a dead letter: why, from where, and a readable preview of the payload; its personal
 * fields masked unless the viewer may read personal data (admin, SPEC §12).
 */
export function describeDeadLetter(d: DeadLetter, viewer: { personalData: boolean } = { personalData: false }) {
  const h = d.headers;
  const text = d.value ? d.value.toString('utf8') : null;
  let eventType: string | null = null;
  let eventId: string | null = null;
  try {
    const parsed = text ? JSON.parse(text) : null;
    if (parsed && typeof parsed === 'object') {
      eventType = typeof parsed.type === 'string' ? parsed.type : null;
      eventId = typeof parsed.eventId === 'string' ? parsed.eventId : null;
    }
  } catch {
    // not JSON: that is usually why it is here
  }
  return {
    topic: d.topic,
    partition: d.partition,
    offset: d.offset,
    timestamp: d.timestamp,
    key: d.key,
    reason: h[DlqHeader.Reason] ?? null,
    originalTopic: h[DlqHeader.OriginalTopic] ?? null,
    originalPartition: h[DlqHeader.OriginalPartition] !== undefined ? Number(h[DlqHeader.OriginalPartition]) : null,
    originalOffset: h[DlqHeader.OriginalOffset] ?? null,
    attempts: h[DlqHeader.Attempts] !== undefined ? Number(h[DlqHeader.Attempts]) : null,
    failedAt: h[DlqHeader.FailedAt] ?? null,
    consumerGroup: h[DlqHeader.ConsumerGroup] ?? null,
    eventType,
    eventId,
    replayableUntil: replayableUntil(d).toISOString(),
    preview: text === null ? null : cut(viewer.personalData ? text : maskPersonalFields(text)),
    personalDataMasked: text !== null && !viewer.personalData,
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Until when a dead letter may be replayed (docs/adr/0010): DLQ_REPLAY_MAX_AGE_DAYS after its event happened —
 * the envelope's `occurredAt` or, if earlier or unreadable, the time it was dead-lettered. Consumers forget an
 * eventId after INBOX_RETENTION_DAYS; a later copy would be applied again.
 */
export function replayableUntil(d: DeadLetter): Date {
  const times = [Date.parse(d.timestamp)];
  try {
    const occurredAt = d.value ? (JSON.parse(d.value.toString('utf8')) as { occurredAt?: unknown })?.occurredAt : undefined;
    if (typeof occurredAt === 'string' && !Number.isNaN(Date.parse(occurredAt))) times.push(Date.parse(occurredAt));
  } catch {
    // not JSON: its dead-letter time is all we know
  }
  const valid = times.filter((t) => !Number.isNaN(t));
  return new Date((valid.length ? Math.min(...valid) : 0) + DLQ_REPLAY_MAX_AGE_DAYS * DAY_MS);
}

/** Refuses a replay that could apply an event a second time (its consumers may have forgotten it). */
export function checkReplayAge(d: DeadLetter, now: Date): { ok: true } | { ok: false; status: 422; reason: string } {
  const until = replayableUntil(d);
  if (now.getTime() <= until.getTime()) return { ok: true };
  return {
    ok: false,
    status: 422,
    reason:
      `too old to replay: dead letters can be replayed for ${DLQ_REPLAY_MAX_AGE_DAYS} days after their event (this one until ${until.toISOString()}). ` +
      `Consumers remember processed events for ${INBOX_RETENTION_DAYS} days, so a later copy could be applied twice. ` +
      `Have the owning service produce the change again instead.`,
  };
}

export type ReplayPlan =
  | { ok: true; topic: string; key: Buffer | string | null; value: Buffer | null; headers: Record<string, string> }
  | { ok: false; status: 404 | 422; reason: string };

/**
 * Where a dead letter goes back to and with what: the original topic from its `x-dlq-original-topic` header
 * (only a topic of SPEC §8 — never another .dlq), the original key and bytes, its original headers without the
 * `x-dlq-*` ones, plus `x-replayed-from: <dlq topic>/<partition>/<offset>` so the trail is visible downstream.
 */
export function planReplay(d: DeadLetter): ReplayPlan {
  const original = d.headers[DlqHeader.OriginalTopic];
  if (!original) return { ok: false, status: 422, reason: `dead letter has no ${DlqHeader.OriginalTopic} header` };
  if (!(ALL_TOPICS as readonly string[]).includes(original)) return { ok: false, status: 422, reason: `original topic "${original}" is not a topic of this system` };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.headers)) if (!k.startsWith('x-dlq-') && k !== 'x-replayed-from') headers[k] = v;
  headers['x-replayed-from'] = `${d.topic}/${d.partition}/${d.offset}`;
  return { ok: true, topic: original, key: d.key, value: d.value, headers };
}
