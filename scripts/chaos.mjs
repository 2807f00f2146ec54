// `npm run test:chaos`: install what is missing, build, then run the chaos runner (test/chaos/run.ts) on a local
// Kafka broker and an embedded Postgres that this run owns (tools/infra; never the shared servers), because it
// kills and restarts them. Options after `--` go to the runner (`npm run test:chaos -- --help`).
// The runner is TypeScript; it is compiled on load with swc (already a dependency), like jest does.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { build, ensureDependencies, repoRoot } from './lib/setup.mjs';

const require = createRequire(import.meta.url);

function registerTypeScript() {
  const swc = require('@swc/core');
  const Module = require('node:module');
  Module._extensions['.ts'] = (module, filename) => {
    const { code } = swc.transformSync(readFileSync(filename, 'utf8'), {
      filename,
      sourceMaps: 'inline',
      module: { type: 'commonjs' },
      jsc: { target: 'es2022', parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true } },
    });
    module._compile(code, filename);
  };
}

try {
  ensureDependencies();
  if (!process.argv.includes('--no-build')) build();
  registerTypeScript();
  const { main } = require(path.join(repoRoot, 'test/chaos/run.ts'));
  const code = await main(process.argv.slice(2).filter((a) => a !== '--no-build'));
  process.exit(code);
} catch (err) {
  console.error(err?.stack ?? err);
  process.exit(1);
}
