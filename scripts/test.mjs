// `npm test`: install what is missing, lint (module boundaries included), type-check, build, then unit and
// integration/end-to-end tests against real Kafka and Postgres (provisioned by the jest global setup: env → Docker → local).
import path from 'node:path';
import { build, ensureDependencies, repoRoot, run } from './lib/setup.mjs';

const bin = (b) => path.join(repoRoot, 'node_modules/.bin', b);
const started = Date.now();
const step = (name, fn) => {
  const t = Date.now();
  console.log(`\n▶ ${name}`);
  fn();
  console.log(`✔ ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
};

try {
  step('dependencies', () => ensureDependencies());
  step('lint', () => {
    run(bin('nx'), ['show', 'projects'], { env: {} }); // computes the project graph the boundaries rule reads
    run(bin('eslint'), ['--max-warnings=0', '.']);
  });
  step('typecheck', () => {
    run(bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
    run(bin('tsc'), ['-p', 'deploy/tsconfig.json', '--noEmit']);
    run(bin('tsc'), ['-p', 'services/console/web/tsconfig.json']); // the SPA (noEmit in its tsconfig; eslint covers it too)
  });
  step('build', () => build());
  step('unit tests', () => run(bin('jest'), ['--selectProjects', 'unit', '--ci']));
  step('integration and end-to-end tests (real Kafka + Postgres)', () =>
    // no --forceExit: a handle left open by a test fails the step instead of being hidden
    run(process.execPath, [path.join(repoRoot, 'scripts/lib/jest-must-exit.mjs'), '--selectProjects', 'int', '--ci', '--runInBand'], { env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' } }));
  console.log(`\nall checks passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
} catch (err) {
  console.error(`\n✘ ${err.message}`);
  process.exit(err.exitCode ?? 1);
}
