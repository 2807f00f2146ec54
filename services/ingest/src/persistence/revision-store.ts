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
 * by every ingest instance. A request (a batch) first **reserves** its revisions in one short transaction: the feedback
 * ids are locked (transaction-level advisory locks, in one sorted order so two batches never deadlock), their rows read,
 * the caller's plan decides, and the new revisions are written as unpublished and committed. Only then is the request
 * published to Kafka (no lock and no connection held while Kafka acknowledges), and after the ack the rows are marked
 * published. So two requests about the same feedback never get the same number for different content, even when a
 * publish timed out but reached Kafka anyway: a reserved number is never handed out again. A reserved but unconfirmed
 * revision is published again (same eventId, dropped by inboxes if it did land) when the same content comes back.
 *
 * One round trip reserves (BEGIN + locks + lookups, then upsert + COMMIT in a second); that is why the ids and digests
 * are inlined rather than bound: each is checked against its only shape (a UUID, a hex SHA-256) first, and the schema
 * is a checked identifier (databaseEnv).
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
   * Runs `plan` with the current state of `feedbackIds` (absent: never seen) while they are locked, and commits the
   * revisions it reserves (`write`, stored unpublished). Postgres unavailable at any step is the 503
   * `database-unavailable`, and nothing was published.
   */
  async reserve<T>(
    feedbackIds: readonly string[],
    plan: (known: ReadonlyMap<string, RevisionState>) => { value: T; write: ReadonlyMap<string, RevisionState> },
  ): Promise<T> {
    const ids = [...new Set(feedbackIds)].sort();
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.unavailable(err, 'connect');
    }
    let broken: Error | undefined;
    // pg emits 'error' on a client whose server went away even while a query of it fails too; the pool listens only
    // to idle clients, so a checked-out one without a listener would crash the process (seen: Postgres restarted
    // under load in the chaos run). The failing query still rejects and is answered 503 below.
    const onError = (err: Error) => void (broken ??= err);
    client.on('error', onError);
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
        outcome = plan(known);
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => void (broken = e));
        throw err;
      }
      try {
        await client.query(this.reserveSql(outcome.write));
      } catch (err) {
        broken = err as Error;
        throw this.unavailable(err, 'reserve');
      }
      return outcome.value;
    } finally {
      // a connection that failed mid-transaction is destroyed, never handed to the next request
      client.off('error', onError);
      client.release(broken);
    }
  }

  /**
   * After Kafka acknowledged: these revisions are published (a resend of their content is a duplicate from now on).
   * Only a row still at that revision is marked (a later request may have reserved the next one meanwhile). Failing
   * here loses nothing: the row stays unpublished, and a resend of the same content is published again (same eventId).
   */
  async markPublished(published: ReadonlyMap<string, RevisionState>): Promise<void> {
    if (!published.size) return;
    const rows = [...published].map(([id, s]) => `(${literal(id, UUID)}, ${revisionNumber(s.revision)})`);
    await this.pool.query(
      `UPDATE ${this.table} AS r SET published = true FROM (VALUES ${rows.join(', ')}) AS p (feedback_id, revision)
        WHERE r.feedback_id = p.feedback_id AND r.revision = p.revision`,
    );
  }

  private async lockAndRead(client: PoolClient, ids: string[]): Promise<Map<string, RevisionState>> {
    const list = ids.map((id) => literal(id, UUID)).join(', ');
    const results = (await client.query(
      `BEGIN;
       SELECT count(pg_advisory_xact_lock(k)) FROM (
         SELECT DISTINCT hashtextextended('closeloop.${this.schema}.revision.' || id, 0) AS k FROM unnest(ARRAY[${list}]::text[]) AS id ORDER BY k
       ) AS locks;
       SELECT feedback_id, revision, digest, published FROM ${this.table} WHERE feedback_id IN (${list});`,
    )) as unknown as QueryResult<{ feedback_id: string; revision: number; digest: string; published: boolean }>[];
    return new Map(results[2].rows.map((r) => [r.feedback_id, { revision: r.revision, digest: r.digest, published: r.published }]));
  }

  private reserveSql(write: ReadonlyMap<string, RevisionState>): string {
    if (!write.size) return 'COMMIT';
    const rows = [...write].map(([id, s]) => `(${literal(id, UUID)}, ${revisionNumber(s.revision)}, ${literal(s.digest, HEX_DIGEST)}, false, now())`);
    return `INSERT INTO ${this.table} (feedback_id, revision, digest, published, updated_at) VALUES ${rows.join(', ')}
            ON CONFLICT (feedback_id) DO UPDATE
              SET revision = EXCLUDED.revision, digest = EXCLUDED.digest, published = false, updated_at = EXCLUDED.updated_at;
            COMMIT`;
  }

  private unavailable(err: unknown, step: 'connect' | 'lock' | 'reserve') {
    // the driver's message only (never parameters: there are none bound, and ids/digests are not personal data)
    this.logger.warn({ err: (err as Error).message, step }, 'database unavailable: revision not numbered, request answered 503');
    return databaseUnavailable();
  }
}

function revisionNumber(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error('a revision is a positive integer');
  return n;
}
