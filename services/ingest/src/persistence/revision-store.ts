import type { Pool, PoolClient, QueryResult } from 'pg';
import { DataSource } from 'typeorm';
import type { Logger } from '@closeloop/platform';
import type { RevisionState } from '../feedback/revisions';
import { databaseUnavailable } from './database-unavailable';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX_DIGEST = /^[0-9a-f]{64}$/;

/** A SQL literal of a value checked against its only possible shape (a feedback id, a digest): nothing else gets in. */
function literal(value: string, shape: RegExp): string {
  if (!shape.test(value)) throw new Error('refusing to inline a value of unexpected shape into SQL');
  return `'${value}'`;
}

/**
 * The latest revision of each feedback (table feedback_revision, SPEC §10): the truth that numbers revisions, shared
 * by every ingest instance. One transaction per request (per batch): the feedback ids are locked (transaction-level
 * advisory locks, in one sorted order so two batches never deadlock), their rows read, the caller decides and
 * publishes to Kafka while the locks are held, then the new revisions are written and committed. Two requests about
 * the same feedback therefore number one after the other (never the same revision twice, none skipped), and a request
 * whose publish fails rolls back: its revision is not used up.
 *
 * Two round trips besides the publish: BEGIN + locks + lookups in one simple query, upsert + COMMIT in another. That
 * is why the ids and digests are inlined rather than bound: each is checked against its only shape (a UUID, a hex
 * SHA-256) first, and the schema is a checked identifier (databaseEnv).
 */
export class RevisionStore {
  private readonly table: string;

  constructor(private readonly ds: DataSource, private readonly schema: string, private readonly logger: Logger) {
    this.table = `"${schema}".feedback_revision`;
  }

  private get pool(): Pool {
    // the pg pool TypeORM's postgres driver owns: one pool per process, its size DATABASE_POOL_SIZE
    return (this.ds.driver as unknown as { master: Pool }).master;
  }

  /**
   * Runs `decide` with the current state of `feedbackIds` (absent: never seen) while they are locked, and commits the
   * state it returns in `write`. `decide` throwing (Kafka unavailable) rolls everything back. Postgres unavailable, at
   * any step, is the 503 `database-unavailable`: before the publish nothing was sent; after it (the commit failed) the
   * event is on the topic, the sender resends, and the same content gets the same revision and eventId (inboxes drop it).
   */
  async inTransaction<T>(
    feedbackIds: readonly string[],
    decide: (known: ReadonlyMap<string, RevisionState>) => Promise<{ value: T; write: ReadonlyMap<string, RevisionState> }>,
  ): Promise<T> {
    const ids = [...new Set(feedbackIds)].sort();
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.unavailable(err, 'connect');
    }
    let broken: Error | undefined;
    try {
      let known: Map<string, RevisionState>;
      try {
        known = await this.lockAndRead(client, ids);
      } catch (err) {
        broken = err as Error;
        throw this.unavailable(err, 'lock');
      }
      let outcome: { value: T; write: ReadonlyMap<string, RevisionState> };
      try {
        outcome = await decide(known);
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => void (broken = e));
        throw err;
      }
      try {
        await client.query(this.writeSql(outcome.write));
      } catch (err) {
        broken = err as Error;
        throw this.unavailable(err, 'commit');
      }
      return outcome.value;
    } finally {
      // a connection that failed mid-transaction is destroyed, never handed to the next request
      client.release(broken);
    }
  }

  private async lockAndRead(client: PoolClient, ids: string[]): Promise<Map<string, RevisionState>> {
    const list = ids.map((id) => literal(id, UUID)).join(', ');
    const results = (await client.query(
      `BEGIN;
       SELECT count(pg_advisory_xact_lock(k)) FROM (
         SELECT DISTINCT hashtextextended('closeloop.${this.schema}.revision.' || id, 0) AS k FROM unnest(ARRAY[${list}]::text[]) AS id ORDER BY k
       ) AS locks;
       SELECT feedback_id, revision, digest FROM ${this.table} WHERE feedback_id IN (${list});`,
    )) as unknown as QueryResult<{ feedback_id: string; revision: number; digest: string }>[];
    return new Map(results[2].rows.map((r) => [r.feedback_id, { revision: r.revision, digest: r.digest }]));
  }

  private writeSql(write: ReadonlyMap<string, RevisionState>): string {
    if (!write.size) return 'COMMIT';
    const rows = [...write].map(([id, s]) => {
      if (!Number.isSafeInteger(s.revision) || s.revision < 1) throw new Error('a revision is a positive integer');
      return `(${literal(id, UUID)}, ${s.revision}, ${literal(s.digest, HEX_DIGEST)}, now())`;
    });
    return `INSERT INTO ${this.table} (feedback_id, revision, digest, updated_at) VALUES ${rows.join(', ')}
            ON CONFLICT (feedback_id) DO UPDATE SET revision = EXCLUDED.revision, digest = EXCLUDED.digest, updated_at = EXCLUDED.updated_at;
            COMMIT`;
  }

  private unavailable(err: unknown, step: 'connect' | 'lock' | 'commit') {
    // the driver's message only (never parameters: there are none bound, and ids/digests are not personal data)
    this.logger.warn({ err: (err as Error).message, step }, 'database unavailable: revision not numbered, request answered 503');
    return databaseUnavailable();
  }
}
