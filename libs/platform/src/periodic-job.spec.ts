import { PeriodicJob } from './periodic-job';

describe('PeriodicJob', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** Lets the promise callbacks of a finished pass run (fake timers do not advance microtasks by themselves). */
  const settle = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };

  it('runs first after firstAfterMs, then every everyMs after each pass ends', async () => {
    const at: number[] = [];
    const t0 = Date.now();
    const job = new PeriodicJob({ everyMs: 1_000, firstAfterMs: 100 }, async () => {
      at.push(Date.now() - t0);
    });
    job.start();
    job.start(); // idempotent: still one chain
    await jest.advanceTimersByTimeAsync(99);
    expect(at).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(at).toEqual([100, 1_100, 2_100]);
    await job.stop();
  });

  it('a slow pass delays the next one instead of overlapping it', async () => {
    let active = 0;
    let most = 0;
    let passes = 0;
    const job = new PeriodicJob({ everyMs: 10 }, () => new Promise<void>((resolve) => {
      active++;
      most = Math.max(most, active);
      setTimeout(() => { active--; passes++; resolve(); }, 50);
    }));
    job.start();
    await jest.advanceTimersByTimeAsync(500);
    expect(most).toBe(1);
    expect(passes).toBe(8); // each cycle is 10 ms waiting + 50 ms passing
    const stopping = job.stop(); // the 9th pass is under way: stop waits for it
    await jest.advanceTimersByTimeAsync(50);
    await stopping;
    expect(passes).toBe(9);
  });

  it('run() joins the pass under way (the first argument wins) and starts a new one after it ended', async () => {
    const args: (string | undefined)[] = [];
    let finish!: () => void;
    const job = new PeriodicJob<number, string>({ everyMs: 1_000 }, (arg) => {
      args.push(arg);
      return new Promise<number>((resolve) => { finish = () => resolve(args.length); });
    });
    const a = job.run('first');
    const b = job.run('second');
    finish();
    expect(await Promise.all([a, b])).toEqual([1, 1]);
    const c = job.run('third');
    finish();
    expect(await c).toBe(2);
    expect(args).toEqual(['first', 'third']);
  });

  it('a pass that throws does not stop the chain', async () => {
    let calls = 0;
    const job = new PeriodicJob({ everyMs: 100 }, async () => {
      calls++;
      throw new Error('boom');
    });
    job.start();
    await jest.advanceTimersByTimeAsync(350);
    expect(calls).toBe(3);
    await job.stop();
  });

  it('stop() clears the timer and waits for the pass in flight; no pass starts after it', async () => {
    let finish!: () => void;
    let ended = false;
    let calls = 0;
    const job = new PeriodicJob({ everyMs: 100 }, () => {
      calls++;
      return new Promise<void>((resolve) => { finish = () => { ended = true; resolve(); }; });
    });
    job.start();
    await jest.advanceTimersByTimeAsync(100);
    expect(calls).toBe(1);
    const stopping = job.stop();
    expect(job.isStopped).toBe(true);
    let stopped = false;
    void stopping.then(() => { stopped = true; });
    await settle();
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(ended).toBe(true);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(1);
  });

  it('refuses a period that is not positive', () => {
    expect(() => new PeriodicJob({ everyMs: 0 }, async () => undefined)).toThrow('everyMs must be positive');
  });
});
