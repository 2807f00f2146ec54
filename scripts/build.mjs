import { build, ensureDependencies } from './lib/setup.mjs';

try {
  ensureDependencies();
  build();
} catch (err) {
  console.error(err.message);
  process.exit(err.exitCode ?? 1);
}
