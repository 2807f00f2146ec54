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
