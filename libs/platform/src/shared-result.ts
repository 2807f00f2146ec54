/**
 * `fn` run at most once per `ttlMs`, however many callers ask: concurrent callers share the run in flight and
 * later ones its result until it is `ttlMs` old. For fan-outs that must not multiply with the request rate
 * (readiness checks, the console's probes of every service). A failed run is not kept.
 */
export function sharedResult<T>(ttlMs: number, fn: () => Promise<T>, now: () => number = () => performance.now()): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (last && now() - last.at < ttlMs) return last.value;
    const entry = { at: now(), value: fn() };
    last = entry;
    entry.value.catch(() => {
      if (last === entry) last = undefined;
    });
    return entry.value;
  };
}
