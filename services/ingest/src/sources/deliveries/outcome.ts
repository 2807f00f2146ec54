import type { SourceOutcome } from '../../metrics';

/**
 * What ops see of a delivery (SPEC §10): accepted (202), duplicate (202, already accepted), ignored (200), rejected
 * (401 and the other 4xx refusals), unmappable (422, its payload kept) and unavailable (503: Kafka, Postgres or the
 * survey tool's API did not answer; the tool retries).
 */
export const DELIVERY_OUTCOMES = ['accepted', 'duplicate', 'ignored', 'rejected', 'unmappable', 'unavailable'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

const OPS: Record<SourceOutcome, DeliveryOutcome | null> = {
  accepted: 'accepted',
  duplicate: 'duplicate',
  ignored: 'ignored',
  rejected: 'rejected',
  unsupported_media_type: 'rejected',
  too_large: 'rejected',
  bad_request: 'rejected',
  unmappable: 'unmappable',
  kafka_unavailable: 'unavailable',
  database_unavailable: 'unavailable',
  fetch_failed: 'unavailable',
  // an id the routing file does not know is no source's delivery (a scanner's guess): only the metric counts it
  unknown_source: null,
};

/** The Prometheus outcome (finer: why a delivery was refused or unavailable) → what ops see; null: not recorded. */
export function opsOutcome(outcome: SourceOutcome): DeliveryOutcome | null {
  return OPS[outcome];
}

/**
 * How much of a delivery is written down. A 401 leaves no trace but a counter (SPEC §10: an unauthentic body is
 * nobody's delivery, and scanners must not be able to fill the list); every other outcome of a known source is a
 * row of the latest deliveries too.
 */
export function recordedAs(status: number): 'count' | 'row' {
  return status === 401 ? 'count' : 'row';
}
