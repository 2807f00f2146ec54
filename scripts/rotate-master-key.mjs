// `npm run rotate-master-key` (README, ADR 0024): re-wraps the customers' data keys from the old master key
// (CLOSELOOP_PREVIOUS_MASTER_KEY) to the new one (CLOSELOOP_MASTER_KEY) in DATABASE_URL's `privacy` schema. Events in
// Kafka are not touched: their fields name the data key, which stays the same. Needs the build (`npm run build`).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(path.join(repoRoot, 'libs/platform/dist/index.js'))) {
  console.error('The platform library is not built: run `npm run build` first.');
  process.exit(1);
}
createRequire(import.meta.url)('@closeloop/platform').rotateMasterKeyCli();
