// `npm test`: install what is missing, lint (module boundaries included), type-check, build, then unit and
// integration/end-to-end tests against real Kafka and Postgres (provisioned by the jest global setup: env → Docker → local).
import path from 'node:path';
import { build, ensureDependencies, repoRoot, run, runAtOnce } from './lib/setup.mjs';

const bin = (b) => path.join(repoRoot, 'node_modules/.bin', b);
const started = Date.now();
const step = async (name, fn) => {
  const t = Date.now();
  console.log(`\n▶ ${name}`);
  await fn();
  console.log(`✔ ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
};

try {
  await step('dependencies', () => ensureDependencies());
  // eslint and tsc each use one core: side by side they take the time of the longer one
  await step('lint and typecheck', () => runAtOnce([
    {
      name: 'lint',
      commands: [
        [bin('nx'), ['show', 'projects'], { env: {} }], // computes the project graph the boundaries rule reads
        [bin('eslint'), ['--max-warnings=0', '.']],
      ],
    },
    {
      name: 'typecheck',
      commands: [
        [bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']],
        [bin('tsc'), ['-p', 'deploy/tsconfig.json', '--noEmit']],
        [bin('tsc'), ['-p', 'services/console/web/tsconfig.json']], // the SPA (noEmit in its tsconfig; eslint covers it too)
      ],
    },
  ]));
  await step('build', () => build());
  await step('unit tests', () => run(bin('jest'), ['--selectProjects', 'unit', '--ci']));
  await step('integration and end-to-end tests (real Kafka + Postgres)', () =>
    // no --forceExit: a handle left open by a test fails the step instead of being hidden
    run(process.execPath, [path.join(repoRoot, 'scripts/lib/jest-must-exit.mjs'), '--selectProjects', 'int', '--ci', '--runInBand'], { env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' } }));
  console.log(`\nall checks passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
} catch (err) {
  console.error(`\n✘ ${err.message}`);
  process.exit(err.exitCode ?? 1);
}
