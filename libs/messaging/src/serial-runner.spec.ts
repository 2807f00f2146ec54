import { SerialRunner } from './serial-runner';

const tick = () => new Promise((r) => setImmediate(r));

describe('SerialRunner', () => {
  function setup() {
    const state = { passes: 0, concurrent: 0, maxConcurrent: 0, stopped: false, errors: [] as unknown[], release: [] as (() => void)[] };
    const runner = new SerialRunner(
      async () => {
        state.passes++;
        state.concurrent++;
        state.maxConcurrent = Math.max(state.maxConcurrent, state.concurrent);
        await new Promise<void>((r) => state.release.push(r));
        state.concurrent--;
      },
      () => state.stopped,
      (err) => state.errors.push(err),
    );
    return { state, runner };
  }

  it('coalesces wakes during a pass into exactly one more pass, never two at once', async () => {
    const { state, runner } = setup();
    runner.wake();
    runner.wake();
    runner.wake();
    await tick();
    expect(state.passes).toBe(1);
    state.release.shift()?.();
    await tick();
    expect(state.passes).toBe(2);
    state.release.shift()?.();
    await runner.idle();
    expect(state.passes).toBe(2);
    expect(state.maxConcurrent).toBe(1);
  });

  it('does nothing once stopped, and reports a failing pass without stopping the next wake', async () => {
    let fail = true;
    const errors: unknown[] = [];
    let passes = 0;
    let stopped = false;
    const runner = new SerialRunner(async () => {
      passes++;
      if (fail) throw new Error('db down');
    }, () => stopped, (e) => errors.push(e));
    runner.wake();
    await runner.idle();
    expect(errors.map((e) => (e as Error).message)).toEqual(['db down']);
    fail = false;
    runner.wake();
    await runner.idle();
    expect(passes).toBe(2);
    stopped = true;
    runner.wake();
    await runner.idle();
    expect(passes).toBe(2);
  });
});
