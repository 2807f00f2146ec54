import { Topic, personalFieldsOf } from '@closeloop/contracts';
import { DataKey, ERASED, decryptField, encryptField, isEncrypted, keyIdOf } from './field-crypto';

/**
 * The one way an event's personal fields are encrypted (before the outbox or the producer) and decrypted (before a
 * handler reads them), driven by the contracts' list of personal fields per topic (`personalFieldsOf`).
 * Both return a copy: the event given is never changed.
 */

/** The customer's data key, created on first sight (the key store's `keyFor`); null when the customer was erased. */
export type KeyForCustomer = (customerId: string) => Promise<DataKey | null>;
/** A data key by id; null when it is erased (or never existed): its fields read as ERASED. */
export type KeyById = (keyId: string) => Promise<Buffer | null>;

function get(o: unknown, path: string): unknown {
  let v: unknown = o;
  for (const p of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

/** Sets `path` on `o` (undefined: removes it), copying each object on the way (the original event is not touched). */
function withValue<T>(o: T, path: string[], value: string | undefined): T {
  const [head, ...rest] = path;
  const copy = { ...(o as Record<string, unknown>) };
  if (rest.length) copy[head] = withValue(copy[head], rest, value);
  else if (value === undefined) delete copy[head];
  else copy[head] = value;
  return copy as T;
}

/** The customer whose fields these are: the first customer path present in `data`. */
export function customerOfEvent(topic: Topic, data: unknown): string | undefined {
  const spec = personalFieldsOf(topic);
  for (const path of spec?.customer ?? []) {
    const v = get(data, path);
    if (typeof v === 'string' && v) return v;
  }
  return undefined;
}

/**
 * Encrypts every personal field of `event.data` under its customer's key. An event with no customer id (a command for
 * an unknown ticket) or no personal field is returned as it is; a field already encrypted, or reading ERASED, is left
 * alone.
 */
export async function sealEvent<E extends { data: unknown }>(topic: Topic, event: E, keyFor: KeyForCustomer): Promise<E> {
  const customerId = customerOfEvent(topic, event.data);
  if (!customerId || !toSeal(topic, event).length) return event;
  const key = await keyFor(customerId);
  return key ? sealEventWith(topic, event, key) : erasedEvent(topic, event);
}

/**
 * An erased customer's event (no key, and none is made: ADR 0026): what any reader would see once the key is gone,
 * personal texts ERASED and contact fields absent.
 */
export function erasedEvent<E extends { data: unknown }>(topic: Topic, event: E): E {
  const spec = personalFieldsOf(topic);
  let data = event.data;
  for (const path of toSeal(topic, event)) data = withValue(data, path.split('.'), spec?.contacts.includes(path) ? undefined : ERASED);
  return { ...event, data };
}

/** `sealEvent` with the customer's key already at hand (a producer that fetched its customers' keys up front). */
export function sealEventWith<E extends { data: unknown }>(topic: Topic, event: E, key: DataKey): E {
  const paths = toSeal(topic, event);
  if (!paths.length) return event;
  let data = event.data;
  for (const path of paths) data = withValue(data, path.split('.'), encryptField(get(data, path) as string, key));
  return { ...event, data };
}

function toSeal(topic: Topic, event: { data: unknown }): string[] {
  return (personalFieldsOf(topic)?.fields ?? []).filter((path) => {
    const v = get(event.data, path);
    // ERASED is nothing personal (an erased customer's event passed on): it needs no key, and gets none
    return typeof v === 'string' && !isEncrypted(v) && v !== ERASED;
  });
}

/**
 * Decrypts every personal field of `event.data`. An erased key, or a damaged field, reads as ERASED (a contact field:
 * as absent, nothing to reach): never a throw, so a consumer handles the event like any other. Fields that are not
 * encrypted (events from before) are kept.
 */
export async function openEvent<E extends { data: unknown }>(topic: Topic, event: E, keyById: KeyById): Promise<E> {
  const spec = personalFieldsOf(topic);
  if (!spec) return event;
  let data = event.data;
  for (const path of spec.fields) {
    const v = get(data, path);
    if (!isEncrypted(v)) continue;
    const id = keyIdOf(v);
    const r = decryptField(v, id ? await keyById(id) : null);
    data = withValue(data, path.split('.'), r.ok ? r.text : spec.contacts.includes(path) ? undefined : ERASED);
  }
  return data === event.data ? event : { ...event, data };
}
