import { loadConfig, runMigrations, revertLastMigration } from '@closeloop/platform';
import { SERVICE, scoringDatabaseEnv } from './config';
import { databaseOptions } from './database';

/** `node dist/migrate.js [revert]`: only needs DATABASE_URL (and DATABASE_SCHEMA to use another schema). */
async function main() {
  const cfg = loadConfig({ database: scoringDatabaseEnv() }, process.env, `${SERVICE} migrations`);
  if (process.argv[2] === 'revert') await revertLastMigration(databaseOptions(cfg));
  else {
    const ran = await runMigrations(databaseOptions(cfg));
    process.stdout.write(`${SERVICE}: ${ran.length ? `applied ${ran.join(', ')}` : `schema "${cfg.database.schema}" up to date`}\n`);
  }
}
main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
