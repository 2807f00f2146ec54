/**
 * Consumer lag, the way `kafka-consumer-groups --describe` reports it: per group and partition,
 * lag = log end offset − committed offset. A partition the group never committed on has no committed offset;
 * everything still retained there is unconsumed, so its lag is end − start (log start offset).
 */
export interface PartitionEnds {
  partition: number;
  /** log end offset (next offset to be written) */
  high: string | number;
  /** log start offset (oldest retained) */
  low: string | number;
}
export interface CommittedOffset {
  partition: number;
  /** "-1" when the group has no committed offset there */
  offset: string | number;
}
export interface LagRow {
  group: string;
  topic: string;
  partition: number;
  committed: number | null;
  end: number;
  lag: number;
}

export function lagRows(group: string, topic: string, ends: PartitionEnds[], committed: CommittedOffset[]): LagRow[] {
  const byPartition = new Map(committed.map((c) => [c.partition, Number(c.offset)]));
  return [...ends]
    .sort((a, b) => a.partition - b.partition)
    .map((p) => {
      const end = Number(p.high);
      const c = byPartition.get(p.partition);
      const has = c !== undefined && c >= 0;
      return {
        group,
        topic,
        partition: p.partition,
        committed: has ? c : null,
        end,
        // a committed offset beyond the end can only come from a truncated log: nothing left to read
        lag: has ? Math.max(0, end - c) : Math.max(0, end - Number(p.low)),
      };
    });
}

/** Total lag per (group, topic). */
export function lagTotals(rows: LagRow[]): { group: string; topic: string; lag: number }[] {
  const totals = new Map<string, { group: string; topic: string; lag: number }>();
  for (const r of rows) {
    const k = `${r.group}\u0000${r.topic}`;
    const t = totals.get(k) ?? { group: r.group, topic: r.topic, lag: 0 };
    t.lag += r.lag;
    totals.set(k, t);
  }
  return [...totals.values()];
}

export interface GroupLag {
  group: string;
  /** the group's total lag over every topic it consumes */
  lag: number;
  topics: { topic: string; lag: number }[];
}

/** Lag per consumer group, with its total and its topics, groups and topics by name: what the ops page leads with. */
export function lagByGroup(rows: LagRow[]): GroupLag[] {
  const groups = new Map<string, GroupLag>();
  for (const t of lagTotals(rows)) {
    const g = groups.get(t.group) ?? { group: t.group, lag: 0, topics: [] };
    g.lag += t.lag;
    g.topics.push({ topic: t.topic, lag: t.lag });
    groups.set(t.group, g);
  }
  return [...groups.values()]
    .sort((a, b) => a.group.localeCompare(b.group))
    .map((g) => ({ ...g, topics: g.topics.sort((a, b) => a.topic.localeCompare(b.topic)) }));
}

/**
 * Each group's total lag over time: the latest `capacity` samples (oldest first) taken by the ops poller, kept in
 * memory (a restarted console starts a new line). A group that stops appearing in the samples is forgotten.
 */
export class LagHistory {
  private readonly samples = new Map<string, { at: number; lag: number }[]>();

  constructor(private readonly capacity = 60) {}

  /** One poll's totals: every group read, at the same time; `unread` groups (not readable this time) keep their line. */
  record(at: number, totals: ReadonlyMap<string, number>, unread: readonly string[] = []): void {
    for (const [group, lag] of totals) {
      const s = this.samples.get(group) ?? [];
      s.push({ at, lag });
      if (s.length > this.capacity) s.splice(0, s.length - this.capacity);
      this.samples.set(group, s);
    }
    for (const g of this.samples.keys()) if (!totals.has(g) && !unread.includes(g)) this.samples.delete(g);
  }

  of(group: string): { at: string; lag: number }[] {
    return (this.samples.get(group) ?? []).map((s) => ({ at: new Date(s.at).toISOString(), lag: s.lag }));
  }
}
