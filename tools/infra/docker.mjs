// Is there a Docker engine testcontainers can use? Answered in milliseconds when there is none: importing
// testcontainers alone costs ~1 s, so we only do it when a Docker endpoint plausibly exists.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PROBE_TIMEOUT_MS = 2_000;

function candidateEndpoints() {
  const home = os.homedir();
  const uid = process.getuid?.();
  return /** @type {string[]} */ ([
    '/var/run/docker.sock',
    path.join(home, '.docker/run/docker.sock'),
    path.join(home, '.docker/desktop/docker.sock'),
    process.env.XDG_RUNTIME_DIR && path.join(process.env.XDG_RUNTIME_DIR, 'docker.sock'),
    uid !== undefined && `/run/user/${uid}/docker.sock`,
    path.join(home, '.colima/default/docker.sock'),
    path.join(home, '.rd/docker.sock'),
    path.join(home, '.testcontainers.properties'),
  ].filter(Boolean));
}

let cached;

/**
 * Resolves to the testcontainers module when a container runtime answers, else null. Never throws, never hangs.
 * CLOSELOOP_DOCKER=0 skips Docker even where it works.
 * @param {{ debug(msg: string): void }} log
 * @returns {Promise<typeof import('testcontainers') | null>}
 */
export function dockerRuntime(log) {
  cached ??= probe(log);
  return cached;
}

async function probe(log) {
  if (process.env.CLOSELOOP_DOCKER === '0') return null;
  const hint = process.env.DOCKER_HOST || candidateEndpoints().find((p) => fs.existsSync(p));
  if (!hint) {
    log.debug('no Docker endpoint found');
    return null;
  }
  try {
    const testcontainers = await import('testcontainers');
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      timer.unref();
    });
    const client = testcontainers.getContainerRuntimeClient();
    client.catch(() => {});
    await Promise.race([client, timeout]).finally(() => clearTimeout(timer));
    log.debug(`Docker answers (${hint})`);
    return testcontainers;
  } catch (err) {
    log.debug(`Docker not usable (${hint}): ${err instanceof Error ? err.message : err}`);
    return null;
  }
}
