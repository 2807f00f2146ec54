import { ERASURE_STORES, ErasureStatus, ErasureStore, erasureStatusOf, translator, type TimelineKey } from '@closeloop/contracts';
import { ERASED } from '@closeloop/platform';
import type { SummaryPart } from '../domain/timeline';

/**
 * The erasure's pure rules (SPEC §13, ADR 0026): an erasure's overall status from its stores' and what of a timeline
 * entry is the customer's (when the key may go is SQL: erasure.repository.ts `readyForKeyDeletion`). Table-tested in erasure-rules.spec.ts.
 */

/** What one store reported (the last write wins, but a `done` is never taken back: erasureStatusOf). */
export interface StoreProgress {
  store: ErasureStore;
  status: 'done' | 'failed';
  erased: number;
  reason: string | null;
  at: Date;
}

export type Overall = ErasureStatus;

/** `failed` as soon as a store failed (its reason is shown), `done` when every store is (the key last), else `pending`. */
export function overallStatus(progress: readonly Pick<StoreProgress, 'store' | 'status'>[]): Overall {
  const stores = erasureStatusOf(progress);
  const all = Object.values(stores);
  if (all.includes('failed')) return 'failed';
  return all.every((s) => s === 'done') ? 'done' : 'pending';
}

/** `stores` of GET /v1/erasures/:id: every store, pending ones included. */
export function storesView(progress: readonly StoreProgress[]) {
  const status = erasureStatusOf(progress);
  const last = new Map(progress.map((p) => [p.store, p]));
  return Object.fromEntries(ERASURE_STORES.map((s) => {
    const p = last.get(s);
    return [s, p ? { status: status[s], erased: p.erased, ...(p.reason && status[s] === 'failed' ? { reason: p.reason } : {}), at: p.at.toISOString() } : { status: status[s] }];
  })) as Record<ErasureStore, { status: ErasureStatus; erased?: number; reason?: string; at?: string }>;
}

/** Each timeline message's arguments that carry the customer's words or contact (or an agent's free text about them). */
export const PERSONAL_ARGS: Partial<Record<TimelineKey, readonly string[]>> = {
  'timeline.reopened': ['reason'],
  'timeline.note': ['body'],
  'timeline.commandRejected': ['reason'],
  'timeline.delivery': ['recipient'],
  'timeline.deliveryError': ['error'],
  'timeline.detail': ['detail'],
  'timeline.texted': ['body'],
  'timeline.emailed': ['subject'],
  'timeline.replied': ['body'],
};

/** Keys of a timeline entry's `data` that hold free text or contact details. */
export const PERSONAL_DATA_KEYS = ['body', 'subject', 'note', 'reason', 'recipient', 'error', 'comment', 'resolutionNote', 'customerName', 'email', 'phone'] as const;

export interface TimelineText {
  summary: string;
  parts: SummaryPart[] | null;
  actor: { kind: string; id?: string; name?: string } | null;
  data: Record<string, unknown>;
}

const EN = translator('en');

function eraseData(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(eraseData);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [
    k, (PERSONAL_DATA_KEYS as readonly string[]).includes(k) && typeof x === 'string' ? ERASED : eraseData(x),
  ]));
}

/**
 * A timeline entry without the customer's texts: personal arguments of its catalog parts read ERASED and its English
 * summary is rendered again from them (so "Claimed by Ayşe" stays, "Note by Ayşe: ‹erased›"); a customer actor loses
 * its name; personal keys of `data` (at any depth) read ERASED. An entry from before catalog parts has no way to tell
 * which words are whose: its whole summary is erased. Idempotent.
 */
export function erasedTimeline(e: TimelineText): TimelineText {
  const actor = e.actor && e.actor.kind === 'customer' && e.actor.name !== undefined ? { ...e.actor, name: ERASED } : e.actor;
  const data = eraseData(e.data) as Record<string, unknown>;
  if (!e.parts || e.parts.length === 0) return { summary: ERASED, parts: e.parts, actor, data };
  const parts = e.parts.map((p) => {
    const personal = PERSONAL_ARGS[p.key] ?? [];
    return { key: p.key, args: Object.fromEntries(Object.entries(p.args).map(([k, v]) => [k, personal.includes(k) ? ERASED : v])) };
  });
  return { summary: parts.map((p) => EN.t(p.key, p.args)).join(''), parts, actor, data };
}
