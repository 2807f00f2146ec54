export interface PeriodicJobOptions {
  /** Time from the end of one pass to the start of the next (passes never overlap). */
  everyMs: number;
  /** Time from start() to the first pass; default everyMs. */
  firstAfterMs?: number;
}

/**
 * The one way a service runs something in the background on a schedule (housekeeping, the SLA poller): a timer
 * chain, so a slow pass delays the next instead of piling up; `run()` joins a pass already under way, so a test or
 * an operator calling it never runs two at once; `stop()` clears the timer and waits for the pass in flight, so a
 * service can stop it before its database closes. The pass handles (and logs) its own failures: a pass that throws
 * anyway is ignored by the timer, and the next pass runs on time.
 */
export class PeriodicJob<T = void, A = void> {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<T> | null = null;
  private stopped = true;

  constructor(private readonly opts: PeriodicJobOptions, private readonly pass: (arg?: A) => Promise<T>) {
    if (!(opts.everyMs > 0)) throw new Error('everyMs must be positive');
  }

  /** Idempotent: one timer chain per job. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(this.opts.firstAfterMs ?? this.opts.everyMs);
  }

  /** True once stop() was called: a long pass may check it between batches and end early. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** One pass now, or the one already running (its argument wins). */
  run(arg?: A): Promise<T> {
    this.running ??= this.pass(arg).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.run().catch(() => undefined).finally(() => this.schedule(this.opts.everyMs));
    }, delayMs);
    this.timer.unref();
  }
}
