// Runs jest and insists that it exits by itself: no --forceExit hiding a socket, timer or child left open by a
// test. Jest prints its summary ("Test Suites: …") when the run is over; if the process is still alive
// GRACE_MS later, something kept it open: we say so, stop it, and fail the step.
//   node scripts/lib/jest-must-exit.mjs <jest args…>
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const GRACE_MS = 30_000;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const child = spawn(path.join(repoRoot, 'node_modules/.bin/jest'), process.argv.slice(2), { cwd: repoRoot, stdio: ['inherit', 'inherit', 'pipe'] });
let summarySeen = false;
let watchdog = null;
let tail = '';
child.stderr.on('data', (chunk) => {
  process.stderr.write(chunk);
  tail = (tail + chunk.toString()).slice(-400); // the summary line may arrive split across chunks
  if (!summarySeen && /^Test Suites: /m.test(tail)) {
    summarySeen = true;
    watchdog = setTimeout(() => {
      console.error(`\njest did not exit ${GRACE_MS / 1000} s after its summary: a test left a handle open (find it with --detectOpenHandles)`);
      child.kill('SIGKILL');
      process.exit(1);
    }, GRACE_MS);
  }
});
child.on('exit', (code, signal) => {
  if (watchdog) clearTimeout(watchdog);
  process.exit(code ?? (signal ? 1 : 0));
});
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s));
