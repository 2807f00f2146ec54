/**
 * Quiescence: the moment a negative check ("no second alert", "no SMS", "nothing changed") can be asserted. Instead
 * of sleeping for a guessed time, a test names the work still to do (consumer lag, unpublished outbox rows, queued
 * deliveries) and the counters of what happens (requests a stub saw, events collected), and waits until the work is
 * 0 and the counters have not moved for `stableMs`. A system that is still doing something never looks quiet; one
 * that is quiet says so as soon as it is.
 */
export interface QuiescenceSpec {
  /** Work still to do: quiet when every probe answers 0. */
  pending?: Record<string, () => Promise<number> | number>;
  /** Counters of things that happen: quiet when none has changed for `stableMs`. */
  activity?: Record<string, () => Promise<number> | number>;
}

/** One look at the whole system, for callers that read everything in one query. */
export type QuiescenceProbe = () => Promise<{ pending?: Record<string, number>; activity?: Record<string, number> }>;

export interface QuiescenceOptions {
  timeoutMs?: number;
  /** How long nothing may change (default 300 ms). */
  stableMs?: number;
  /** Time between looks (default 50 ms). */
  intervalMs?: number;
  what?: string;
}

async function evaluate(record: Record<string, () => Promise<number> | number> = {}): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, probe] of Object.entries(record)) out[name] = await probe();
  return out;
}

/**
 * Resolves (with how long it took) once nothing is pending and no activity counter has changed for `stableMs`;
 * throws after `timeoutMs` naming what was still pending. A probe that throws (a database restarting) counts as not quiet.
 */
export async function waitForQuiescence(spec: QuiescenceSpec | QuiescenceProbe, opts: QuiescenceOptions = {}): Promise<{ ms: number }> {
  const look: QuiescenceProbe = typeof spec === 'function' ? spec : async () => ({ pending: await evaluate(spec.pending), activity: await evaluate(spec.activity) });
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const stableMs = opts.stableMs ?? 300;
  const started = Date.now();
  let quietSince: number | null = null;
  let lastActivity: string | null = null;
  let lastState = 'nothing looked at yet';
  for (;;) {
    let idle = false;
    let activity: string | null = null;
    try {
      const seen = await look();
      const pending = seen.pending ?? {};
      activity = JSON.stringify(seen.activity ?? {});
      idle = Object.values(pending).every((n) => n === 0);
      const busy = Object.entries(pending).filter(([, n]) => n !== 0).map(([k, n]) => `${k}=${n}`);
      lastState = busy.length ? `still pending: ${busy.join(', ')}` : `activity kept changing: ${activity}`;
    } catch (err) {
      lastState = `could not look: ${(err as Error).message}`;
    }
    const now = Date.now();
    if (idle && activity === lastActivity) {
      quietSince ??= now;
      if (now - quietSince >= stableMs) return { ms: now - started };
    } else {
      quietSince = idle ? now : null;
    }
    lastActivity = activity;
    if (now - started > timeoutMs) throw new Error(`${opts.what ?? 'the system'} did not become quiet within ${timeoutMs} ms (${lastState})`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}
