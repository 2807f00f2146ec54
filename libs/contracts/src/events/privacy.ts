import 'reflect-metadata';
import { IsIn, IsInt, IsISO8601, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength, Min } from 'class-validator';

/**
 * The places Closeloop writes a customer's personal data, each erased by the service that owns it and each with its own
 * status in `GET /v1/erasures/:id` (SPEC §13, ADR 0024):
 * - `tickets`: tickets, feedback, notes, timeline and customer messages (tickets service; reports keep their counts)
 * - `scoring`: the scoring history
 * - `sourcePayloads`: what survey tools sent, kept by ingest
 * - `notification`: ticket snapshots, delivery payloads and recipients
 * - `slack`: every alert and thread reply about the customer, redacted with `chat.update`
 * - `twilio`: every SMS to or from the customer, its message record deleted through Twilio's API
 * - `email`: the log of emails sent to the customer
 * - `kafka`: the customer's data key, deleted last (crypto-shredding every retained event)
 */
export const ERASURE_STORES = ['tickets', 'scoring', 'sourcePayloads', 'notification', 'slack', 'twilio', 'email', 'kafka'] as const;
export type ErasureStore = (typeof ERASURE_STORES)[number];

/** The stores a participant reports on; `kafka` is the orchestrator's own last step (the key), not a participant's. */
export const PARTICIPANT_STORES: readonly ErasureStore[] = ERASURE_STORES.filter((s) => s !== 'kafka');

export const ERASURE_STATUSES = ['pending', 'done', 'failed'] as const;
export type ErasureStatus = (typeof ERASURE_STATUSES)[number];

export const PRIVACY_EVENT_TYPES = ['customer.erasure_requested', 'customer.erasure_progress'] as const;
export type PrivacyEventType = (typeof PRIVACY_EVENT_TYPES)[number];

/**
 * cx.privacy.events.v1 (key: customer id) — `customer.erasure_requested`: an admin asked to erase a customer everywhere
 * (POST /v1/customers/:id/erase). Each participant erases its stores and answers with `customer.erasure_progress`.
 * No personal field: the customer id is the pseudonymous key that names the customer's data key.
 */
export class ErasureRequestedData {
  @IsUUID('all') erasureId: string;
  @IsString() @IsNotEmpty() customerId: string;
  /** the admin agent who asked */
  @IsString() @IsNotEmpty() requestedBy: string;
  @IsISO8601() requestedAt: string;
}

/**
 * `customer.erasure_progress`: one store of one erasure is done (or failed, with a reason for the admin). A participant
 * may send it again (a redelivery, a restart mid-erasure): the last one wins, and `done` is never taken back by a later
 * `failed` of the same erasure and store.
 */
export class ErasureProgressData {
  @IsUUID('all') erasureId: string;
  @IsString() @IsNotEmpty() customerId: string;
  @IsIn(ERASURE_STORES as unknown as string[]) store: ErasureStore;
  @IsIn(['done', 'failed']) status: 'done' | 'failed';
  /** why it failed (no personal data: ids, counts, vendor error codes) */
  @IsOptional() @IsString() @MaxLength(500) reason?: string;
  /** how many rows / messages / records this store erased (0 when the customer had none there) */
  @IsInt() @Min(0) erased: number;
  /** which service reported */
  @IsString() @IsNotEmpty() by: string;
}

export type PrivacyEventData = ErasureRequestedData | ErasureProgressData;

/** Each store's status from the progress seen so far (none yet = pending; a `done` is never taken back). */
export function erasureStatusOf(progress: ReadonlyArray<Pick<ErasureProgressData, 'store' | 'status'>>): Record<ErasureStore, ErasureStatus> {
  const out = Object.fromEntries(ERASURE_STORES.map((s) => [s, 'pending'])) as Record<ErasureStore, ErasureStatus>;
  for (const p of progress) if (out[p.store] !== 'done') out[p.store] = p.status;
  return out;
}
