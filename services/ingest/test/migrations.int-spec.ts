// An ingest database migrated before the erasure (SPEC §13) upgrades in place: the messaging tables (named with an
// older timestamp than ingest's own migrations) and kept_payload's customer_id run as pending migrations, and a kept
// payload written before keeps its data with no customer id (only retention and INGEST_KEPT_DAYS reach it).
import { randomUUID } from 'node:crypto';
import { runMigrations } from '@closeloop/platform';
import { testInfra } from '@closeloop/testing';
import { migrationsFor } from '../src/persistence/migrations';
import { ingestSchema } from './database';

describe('ingest migrations (SPEC §13 upgrade)', () => {
  const database = ingestSchema('migrations');
  const schema = database.schema;
  const options = (migrations: ReturnType<typeof migrationsFor>) => ({ url: testInfra().databaseUrl, schema, entities: [], migrations });

  afterAll(() => database.drop());

  it('upgrades a database migrated before the erasure, keeping its kept payloads', async () => {
    const before = migrationsFor(schema).filter((m) => !/MessagingTables|KeptPayloadCustomer/.test(m.name));
    expect(before).toHaveLength(2);
    await runMigrations(options(before));
    const id = randomUUID();
    await database.query(
      `INSERT INTO "${schema}".kept_payload (id, source_id, kind, received_at, content_type, body, reason, errors, size)
       VALUES ($1, 'tf', 'typeform', now(), 'application/json', convert_to('{"x":1}', 'UTF8'), 'field score is invalid', '[]', 7)`, [id]);

    const ran = await runMigrations(options(migrationsFor(schema)));
    expect(ran).toEqual(expect.arrayContaining(['MessagingTables1763900000000', 'IngestKeptPayloadCustomer1764500000300']));
    const tables = await database.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, [schema]);
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['inbox', 'outbox', 'kept_payload']));
    expect(await database.query(`SELECT id, customer_id, anonymised_at, convert_from(body, 'UTF8') AS body FROM "${schema}".kept_payload`))
      .toEqual([{ id, customer_id: null, anonymised_at: null, body: '{"x":1}' }]);
    expect(await runMigrations(options(migrationsFor(schema)))).toEqual([]); // nothing pending any more
  });
});
