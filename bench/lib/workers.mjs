// Starting the bench's worker threads: the load generator and the Slack stub.
import { Worker } from 'node:worker_threads';

const here = new URL('.', import.meta.url);

/** Runs one load job to completion; `stop()` asks a background job to finish (it then resolves with its result). */
export function loadJob(data) {
  const worker = new Worker(new URL('load-worker.mjs', here), { workerData: data });
  const done = new Promise((resolve, reject) => {
    worker.on('message', (m) => {
      if (m.type === 'result') resolve(m.result);
      if (m.type === 'error') reject(new Error(`load worker (${data.job}): ${m.message}`));
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`load worker (${data.job}) exited with ${code} before reporting`)));
  });
  return {
    done: done.finally(() => worker.terminate()),
    stop: () => worker.postMessage('stop'),
  };
}

/** The bench's Slack stub; `onProbeAlert({customerId, at, channel})` is called for each probe alert. */
export async function startSlackStub(probePrefix, onProbeAlert) {
  const worker = new Worker(new URL('slack-stub-worker.mjs', here), { workerData: { probePrefix } });
  let statsWaiter = null;
  const url = await new Promise((resolve, reject) => {
    worker.on('message', (m) => {
      if (m.type === 'ready') resolve(m.url);
      else if (m.type === 'probeAlert') onProbeAlert(m);
      else if (m.type === 'stats' && statsWaiter) {
        statsWaiter(m.counts);
        statsWaiter = null;
      }
    });
    worker.on('error', reject);
  });
  return {
    url,
    stats: () => new Promise((resolve) => {
      statsWaiter = resolve;
      worker.postMessage('stats');
    }),
    close: () => worker.terminate(),
  };
}
