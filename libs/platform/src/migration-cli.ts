import { databaseEnv, loadConfig } from './config';
import { DatabaseOptions, revertLastMigration, runMigrations } from './database';

type DatabaseConfig = { database: { url: string; poolSize: number; schema: string } };

/**
 * The `migrate.js` of a service: `node dist/migrate.js` applies pending migrations, `node dist/migrate.js revert`
 * undoes the last one. Needs only DATABASE_URL (and DATABASE_SCHEMA to use another schema than the default).
 */
export function migrationCli(service: string, defaultSchema: string, options: (cfg: DatabaseConfig) => DatabaseOptions): void {
  const main = async () => {
    const cfg = loadConfig({ database: databaseEnv(defaultSchema) }, process.env, `${service} migrations`);
    if (process.argv[2] === 'revert') {
      await revertLastMigration(options(cfg));
      process.stdout.write(`${service}: reverted the last migration of schema "${cfg.database.schema}"\n`);
      return;
    }
    const ran = await runMigrations(options(cfg));
    process.stdout.write(`${service}: ${ran.length ? `applied ${ran.join(', ')}` : `schema "${cfg.database.schema}" up to date`}\n`);
  };
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
