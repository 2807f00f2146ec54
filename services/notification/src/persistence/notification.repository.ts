import { deterministicId, type DeliveryChannel, type DeliveryPurpose, type TicketSnapshot, type TrendEventData } from '@closeloop/contracts';
import type { DeliveryPayload, PlannedDelivery } from '../alerts/alert-planner';
import { PACED_PURPOSES } from '../delivery/pacing';

/** Anything that runs SQL: the DataSource (autocommit) or a transaction's EntityManager. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<any>;
}

/** Internal statuses: `sending` (claimed, a call may be in flight) and `skipped` (superseded update) are never published. */
export type StoredStatus = 'pending' | 'held' | 'sending' | 'sent' | 'delivered' | 'retrying' | 'failed' | 'skipped';

export interface DeliveryRow {
  id: string;
  ticket_id: string;
  ticket_event_id: string;
  ticket_event_type: string;
  channel: DeliveryChannel;
  recipient: string;
  purpose: DeliveryPurpose;
  status: StoredStatus;
  published_status: string | null;
  critical: boolean;
  payload: DeliveryPayload;
  snapshot_version: number;
  attempts: number;
  next_attempt_at: Date;
  maybe_delivered: boolean;
  last_error: string | null;
  last_error_code: string | null;
  provider: string | null;
  provider_id: string | null;
  provider_status: string | null;
  created_at: Date;
  sent_at: Date | null;
  /** When the delivery took its Slack channel's posting slot (database clock); null for unpaced ones. */
  paced_at: Date | null;
  claim_token: string | null;
}

/** A row claimed by this worker, with the status it had before. */
export interface ClaimedDelivery extends DeliveryRow {
  previous_status: StoredStatus;
  claim_token: string;
  /** The claim took the Slack channel's posting slot for this delivery (see claimDue): it may post at once. */
  slot_taken?: boolean;
}

/** A row whose attempt was just recorded (`finish`), with the status published before it (`notification.delivery`). */
export interface FinishedDelivery extends DeliveryRow {
  previous_published_status: string | null;
}

export interface AlertMessageRow {
  ticket_id: string;
  channel: string;
  provider: 'slack' | 'log';
  alert_delivery_id: string;
  ts: string | null;
  posted_at: Date | null;
  rendered_version: number;
  alert_status: StoredStatus | null;
  alert_error: string | null;
  /** The ticket's newest snapshot, when asked for (`alertMessage(…, { withSnapshot: true })`). */
  snapshot?: TicketSnapshot | null;
}

const ms = (n: number) => String(Math.max(0, Math.round(n)));

/** TypeORM answers UPDATE/DELETE with `[rows, affectedCount]` and everything else with the rows. */
async function updateReturning(q: Queryable, sql: string, params: unknown[]): Promise<any[]> {
  const res = await q.query(sql, params);
  return Array.isArray(res) && Array.isArray(res[0]) ? res[0] : res;
}

/**
 * SQL of the notification schema, in one place. Every method takes the connection to run on, so callers decide
 * what is one transaction.
 */
export class NotificationRepository {
  private readonly s: string;

  constructor(readonly schema: string) {
    this.s = `"${schema}"`;
  }

  /** Keeps the newest snapshot per ticket: a redelivered or late older event never overwrites a newer one. */
  async saveSnapshot(q: Queryable, t: TicketSnapshot): Promise<void> {
    await this.saveNewest(q, 'ticket_snapshot', 'ticket_id', t.id, t.version, t);
  }

  async latestSnapshot(q: Queryable, ticketId: string): Promise<TicketSnapshot | undefined> {
    const rows = await q.query(`SELECT snapshot FROM ${this.s}.ticket_snapshot WHERE ticket_id = $1`, [ticketId]);
    return rows[0]?.snapshot;
  }

  /** The newest state of a trend (SPEC §12); an older event arriving late changes nothing. */
  async saveTrend(q: Queryable, t: TrendEventData): Promise<void> {
    await this.saveNewest(q, 'trend_snapshot', 'trend_id', t.trendId, t.version, t);
  }

  /** One row per id holding the newest version of `snapshot`: a write of an older or equal version changes nothing. */
  private async saveNewest(q: Queryable, table: 'ticket_snapshot' | 'trend_snapshot', key: 'ticket_id' | 'trend_id', id: string, version: number, snapshot: unknown): Promise<void> {
    await q.query(
      `INSERT INTO ${this.s}.${table} (${key}, version, snapshot) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (${key}) DO UPDATE SET version = excluded.version, snapshot = excluded.snapshot, updated_at = now()
       WHERE ${table}.version < excluded.version`,
      [id, version, JSON.stringify(snapshot)],
    );
  }

  async latestTrend(q: Queryable, trendId: string): Promise<TrendEventData | undefined> {
    const rows = await q.query(`SELECT snapshot FROM ${this.s}.trend_snapshot WHERE trend_id = $1`, [trendId]);
    return rows[0]?.snapshot;
  }

  /** Creates the ticket's alert message row for a channel; false when one exists (then no second top-level post is planned). */
  /** `customerId`: whose ticket it is (kept with the row, so an erasure still finds the message once the snapshot was pruned). */
  async createAlertMessage(q: Queryable, ticketId: string, channel: string, provider: 'slack' | 'log', alertDeliveryId: string, customerId?: string): Promise<boolean> {
    const rows = await q.query(
      `INSERT INTO ${this.s}.alert_message (ticket_id, channel, provider, alert_delivery_id, customer_id) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (ticket_id, channel) DO NOTHING RETURNING 1`,
      [ticketId, channel, provider, alertDeliveryId, customerId ?? null],
    );
    return rows.length === 1;
  }

  /**
   * Inserts planned deliveries; ones already recorded for the same (event, channel, recipient, purpose) are left
   * alone. `ticket.version` is 0 for an event without a snapshot (a refused command for an unknown ticket).
   * `created_at` is the insert's own time (`clock_timestamp()`), not the transaction's (`now()`): the events of one
   * fetched batch share a transaction (ADR 0023), and `created_at` is what keeps their replies and emails in order.
   */
  async insertDeliveries(q: Queryable, ticketEventId: string, eventType: string, ticket: Pick<TicketSnapshot, 'id' | 'version'>, planned: PlannedDelivery[]): Promise<DeliveryRow[]> {
    const inserted: DeliveryRow[] = [];
    for (const d of planned) {
      const id = deliveryIdFor(ticketEventId, d.channel, d.recipient, d.purpose);
      const rows = await q.query(
        `INSERT INTO ${this.s}.delivery
           (id, ticket_id, ticket_event_id, ticket_event_type, channel, recipient, purpose, status, critical, payload, snapshot_version, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, clock_timestamp())
         ON CONFLICT (ticket_event_id, channel, recipient, purpose) DO NOTHING
         RETURNING *`,
        [id, ticket.id, ticketEventId, eventType, d.channel, d.recipient, d.purpose, d.status, d.critical, JSON.stringify(d.payload), ticket.version, d.notBefore],
      );
      if (rows[0]) inserted.push(rows[0]);
    }
    return inserted;
  }

  /**
   * Claims up to `limit` due deliveries for this worker: `FOR UPDATE SKIP LOCKED`, so two instances never take the
   * same row, then `sending` with a lease, committed before any provider call. A row still `sending` after its
   * lease expired was being sent by a worker that died: it may have been delivered, so it is marked for reconciling.
   * `busyQueues` (recipients this worker is still sending to) are left alone, so one recipient's deliveries stay in order.
   *
   * Posts to a Slack channel (PACED_PURPOSES), when `slackIntervalMs` > 0: a channel takes one post per slot
   * (`slack_channel_rate`), so only the oldest due post of each channel is claimed, and none of a channel whose slot
   * lies in the future; the others stay `pending`, untouched, until their turn (claiming them only to give them back
   * would cost four statements each, every time). The same statement takes each claimed post's slot the way
   * `takeChannelSlot` does (atomic, only when free, `paced_at` = the slot's time) and says so in `slot_taken`: the
   * worker posts those without another statement. A post that lost the slot to another instance in between, or that
   * comes after another delivery of its queue (an update of the same channel), has `slot_taken` false and goes
   * through `takeChannelSlot` right before posting, as before.
   */
  async claimDue(q: Queryable, limit: number, leaseMs: number, claimToken: string, busyQueues: string[] = [], slackIntervalMs = 0): Promise<ClaimedDelivery[]> {
    const due = `((d.status IN ('pending', 'retrying', 'held') AND d.next_attempt_at <= now()) OR (d.status = 'sending' AND d.lease_until < now()))`;
    return updateReturning(
      q,
      `WITH waiting AS MATERIALIZED (
         SELECT d.id, d.recipient, d.next_attempt_at, d.created_at,
                ($5::float8 > 0 AND d.channel = 'slack' AND d.purpose IN (${PACED_PURPOSES.map((p) => `'${p}'`).join(', ')})) AS paced
         FROM ${this.s}.delivery d
         WHERE ${due}
           -- the caller's queues still sending (same key as queueKey in the worker)
           AND NOT (CASE WHEN d.purpose = 'ephemeral' THEN d.id::text ELSE d.channel || ':' || d.recipient END = ANY($4::text[]))
       ), candidate AS (
         SELECT id, paced, next_attempt_at, created_at FROM waiting WHERE NOT paced
         UNION ALL
         SELECT id, paced, next_attempt_at, created_at FROM (
           SELECT DISTINCT ON (recipient COLLATE "C") id, paced, recipient, next_attempt_at, created_at FROM waiting WHERE paced
           ORDER BY recipient COLLATE "C", next_attempt_at, created_at
         ) oldest
         WHERE NOT EXISTS (SELECT 1 FROM ${this.s}.slack_channel_rate r WHERE r.channel = oldest.recipient AND r.next_allowed_at > now())
       ), claimed AS (
         SELECT d.id, d.status, d.channel, d.recipient, d.next_attempt_at, d.created_at, c.paced FROM candidate c JOIN ${this.s}.delivery d ON d.id = c.id
         WHERE ${due}
         ORDER BY c.next_attempt_at, c.created_at
         LIMIT $1
         FOR UPDATE OF d SKIP LOCKED
       ), slot AS (
         -- one row per channel (one paced claim per channel), in channel order; only for a post its queue sends first
         -- (the worker sends a queue oldest first): one behind an update would reach Slack later than its slot
         INSERT INTO ${this.s}.slack_channel_rate AS r (channel, next_allowed_at)
         SELECT c.recipient, now() + $5::float8 * interval '1 millisecond' FROM claimed c
         WHERE c.paced AND NOT EXISTS (
           SELECT 1 FROM claimed o WHERE o.id <> c.id AND o.channel = c.channel AND o.recipient = c.recipient
             AND (o.next_attempt_at, o.created_at) <= (c.next_attempt_at, c.created_at))
         ORDER BY c.recipient COLLATE "C"
         ON CONFLICT (channel) DO UPDATE SET next_allowed_at = excluded.next_allowed_at
         WHERE r.next_allowed_at <= now()
         RETURNING r.channel
       )
       UPDATE ${this.s}.delivery d
       SET status = 'sending', lease_until = now() + $2::float8 * interval '1 millisecond', claim_token = $3, updated_at = now(),
           maybe_delivered = d.maybe_delivered OR claimed.status = 'sending',
           paced_at = CASE WHEN slot.channel IS NULL THEN d.paced_at ELSE now() END
       FROM claimed LEFT JOIN slot ON claimed.paced AND slot.channel = claimed.recipient
       WHERE d.id = claimed.id
       RETURNING d.*, claimed.status AS previous_status, slot.channel IS NOT NULL AS slot_taken`,
      [limit, ms(leaseMs), claimToken, busyQueues, ms(slackIntervalMs)],
    );
  }

  /**
   * Gives a claimed row back without recording an outcome: due again `after` ms from now, or at that instant.
   * `maybeDelivered`: a provider call was made but its result could not be recorded (it may have gone out), so
   * the next attempt reconciles before sending again.
   */
  async release(q: Queryable, d: ClaimedDelivery, after: number | Date, opts: { maybeDelivered?: boolean } = {}): Promise<void> {
    const back: StoredStatus = d.previous_status === 'sending' || opts.maybeDelivered ? 'retrying' : d.previous_status;
    await q.query(
      `UPDATE ${this.s}.delivery SET status = $3, lease_until = NULL, claim_token = NULL, updated_at = now(),
         next_attempt_at = COALESCE($5::timestamptz, now() + $4::float8 * interval '1 millisecond'),
         maybe_delivered = maybe_delivered OR $6
       WHERE id = $1 AND claim_token = $2`,
      [d.id, d.claim_token, back, typeof after === 'number' ? ms(after) : '0', after instanceof Date ? after : null, opts.maybeDelivered === true],
    );
  }

  /** Of these provider ids, the ones another delivery already recorded as its own (a reconciliation must not take them). */
  async providerIdsTakenByOthers(q: Queryable, providerIds: string[], deliveryId: string): Promise<Set<string>> {
    if (!providerIds.length) return new Set();
    const rows: { provider_id: string }[] = await q.query(
      `SELECT provider_id FROM ${this.s}.delivery WHERE provider_id = ANY($1::text[]) AND id <> $2`,
      [providerIds, deliveryId],
    );
    return new Set(rows.map((r) => r.provider_id));
  }

  /** Whether an earlier delivery of the same ticket, recipient and purpose is still to be sent (thread replies and emails keep event order). */
  async hasEarlierUnsent(q: Queryable, d: Pick<DeliveryRow, 'id' | 'ticket_id' | 'recipient' | 'purpose' | 'created_at'>): Promise<boolean> {
    const rows = await q.query(
      `SELECT 1 FROM ${this.s}.delivery
       WHERE ticket_id = $1 AND recipient = $2 AND purpose = $5 AND id <> $3
         AND status IN ('pending', 'retrying', 'sending') AND created_at < $4
       LIMIT 1`,
      [d.ticket_id, d.recipient, d.id, d.created_at, d.purpose],
    );
    return rows.length > 0;
  }

  /**
   * Records the result of an attempt, only while this worker still holds the claim; returns the updated row, or
   * undefined when the claim was lost (its lease expired and another worker took the row). The new status is marked
   * published in the same statement (`published_status`; `skipped` is never published): the caller writes its
   * `notification.delivery` event in the same transaction when it differs from `previous_published_status`
   * (`DeliveryPublisher.publishFinished`).
   */
  async finish(
    q: Queryable,
    d: ClaimedDelivery,
    r: {
      status: 'sent' | 'retrying' | 'failed' | 'skipped';
      attempted: boolean;
      delayMs?: number;
      error?: string | null;
      errorCode?: string | null;
      provider?: string;
      providerId?: string | null;
      providerStatus?: string | null;
      maybeDelivered?: boolean;
    },
  ): Promise<FinishedDelivery | undefined> {
    const rows = await updateReturning(
      q,
      `UPDATE ${this.s}.delivery SET
         status = $3,
         published_status = CASE WHEN $3 = 'skipped' THEN old.published_status ELSE $3 END,
         attempts = attempts + $4,
         next_attempt_at = CASE WHEN $3 = 'retrying' THEN now() + $5::float8 * interval '1 millisecond' ELSE next_attempt_at END,
         lease_until = NULL, claim_token = NULL,
         last_error = $6, last_error_code = $7,
         provider = COALESCE($8, provider), provider_id = COALESCE($9, provider_id), provider_status = COALESCE($10, provider_status),
         maybe_delivered = maybe_delivered OR $11,
         sent_at = CASE WHEN $3 = 'sent' THEN now() ELSE sent_at END,
         updated_at = now()
       FROM (SELECT id, published_status FROM ${this.s}.delivery WHERE id = $1 AND claim_token = $2 FOR UPDATE) old
       WHERE delivery.id = old.id AND delivery.claim_token = $2
       RETURNING delivery.*, old.published_status AS previous_published_status`,
      [
        d.id,
        d.claim_token,
        r.status,
        r.attempted ? 1 : 0,
        ms(r.delayMs ?? 0),
        r.error ?? null,
        r.errorCode ?? null,
        r.provider ?? null,
        r.providerId ?? null,
        r.providerStatus ?? null,
        r.maybeDelivered ?? false,
      ],
    );
    return rows[0];
  }

  async markPublished(q: Queryable, id: string, status: string): Promise<void> {
    await q.query(`UPDATE ${this.s}.delivery SET published_status = $2 WHERE id = $1`, [id, status]);
  }

  /**
   * The alert message of a ticket in a channel, with the state of the delivery that posts it; `withSnapshot`: and the
   * ticket's newest snapshot (null when there is none), in the same statement.
   */
  async alertMessage(q: Queryable, ticketId: string, channel: string, opts: { withSnapshot?: boolean } = {}): Promise<AlertMessageRow | undefined> {
    const rows = await q.query(
      `SELECT a.ticket_id, a.channel, a.provider, a.alert_delivery_id, a.ts, a.posted_at, a.rendered_version,
              d.status AS alert_status, d.last_error AS alert_error${opts.withSnapshot ? ', s.snapshot' : ''}
       FROM ${this.s}.alert_message a LEFT JOIN ${this.s}.delivery d ON d.id = a.alert_delivery_id
       ${opts.withSnapshot ? `LEFT JOIN ${this.s}.ticket_snapshot s ON s.ticket_id = a.ticket_id` : ''}
       WHERE a.ticket_id = $1 AND a.channel = $2`,
      [ticketId, channel],
    );
    return rows[0];
  }

  async markAlertPosted(q: Queryable, ticketId: string, channel: string, ts: string, renderedVersion: number): Promise<void> {
    await q.query(
      `UPDATE ${this.s}.alert_message SET ts = COALESCE(ts, $3), posted_at = COALESCE(posted_at, now()), rendered_version = GREATEST(rendered_version, $4)
       WHERE ticket_id = $1 AND channel = $2`,
      [ticketId, channel, ts, renderedVersion],
    );
  }

  /** A short per-message lease, so two instances never `chat.update` one message at once. */
  async lockAlertForUpdate(q: Queryable, ticketId: string, channel: string, leaseMs: number): Promise<boolean> {
    const rows = await updateReturning(
      q,
      `UPDATE ${this.s}.alert_message SET updating_until = now() + $3::float8 * interval '1 millisecond'
       WHERE ticket_id = $1 AND channel = $2 AND (updating_until IS NULL OR updating_until < now())
       RETURNING 1`,
      [ticketId, channel, ms(leaseMs)],
    );
    return rows.length === 1;
  }

  async unlockAlert(q: Queryable, ticketId: string, channel: string, renderedVersion?: number): Promise<void> {
    await q.query(
      `UPDATE ${this.s}.alert_message SET updating_until = NULL, rendered_version = GREATEST(rendered_version, COALESCE($3, 0))
       WHERE ticket_id = $1 AND channel = $2`,
      [ticketId, channel, renderedVersion ?? null],
    );
  }

  /**
   * Takes the next posting slot of a Slack channel, shared by every instance through this row: succeeds (and moves
   * the slot `intervalMs` ahead) only when the slot is free; otherwise returns how long until it is.
   */
  async takeChannelSlot(q: Queryable, channel: string, intervalMs: number, deliveryId?: string): Promise<{ ok: true } | { ok: false; waitMs: number; at: Date }> {
    // the slot's time (database clock) is kept on the delivery that took it: what pacing promises, and what tests check
    const taken = await q.query(
      `WITH slot AS (
         INSERT INTO ${this.s}.slack_channel_rate AS r (channel, next_allowed_at) VALUES ($1, now() + $2::float8 * interval '1 millisecond')
         ON CONFLICT (channel) DO UPDATE SET next_allowed_at = now() + $2::float8 * interval '1 millisecond'
         WHERE r.next_allowed_at <= now()
         RETURNING now() AS at
       ), paced AS (
         UPDATE ${this.s}.delivery d SET paced_at = slot.at FROM slot WHERE d.id = $3::uuid RETURNING 1
       )
       SELECT at FROM slot`,
      [channel, ms(intervalMs), deliveryId ?? null],
    );
    if (taken.length === 1) return { ok: true };
    const rows = await q.query(
      `SELECT next_allowed_at AS at, GREATEST(0, EXTRACT(EPOCH FROM (next_allowed_at - now())) * 1000)::float8 AS wait
       FROM ${this.s}.slack_channel_rate WHERE channel = $1`,
      [channel],
    );
    return { ok: false, waitMs: Math.ceil(Number(rows[0]?.wait ?? 0)), at: rows[0]?.at ?? new Date() };
  }

  /** Slack said "slow down" for this channel: no instance posts there before `afterMs`. */
  async pushChannelSlot(q: Queryable, channel: string, afterMs: number): Promise<void> {
    await q.query(
      `INSERT INTO ${this.s}.slack_channel_rate AS r (channel, next_allowed_at) VALUES ($1, now() + $2::float8 * interval '1 millisecond')
       ON CONFLICT (channel) DO UPDATE SET next_allowed_at = GREATEST(r.next_allowed_at, excluded.next_allowed_at)`,
      [channel, ms(afterMs)],
    );
  }

  /** The SMS delivery a Twilio status callback is about, locked for the update. */
  async smsByProviderIdForUpdate(q: Queryable, providerId: string): Promise<DeliveryRow | undefined> {
    const rows = await q.query(`SELECT * FROM ${this.s}.delivery WHERE provider_id = $1 AND purpose IN ('sms', 'customer_sms') FOR UPDATE`, [providerId]);
    return rows[0];
  }

  async setProviderStatus(q: Queryable, id: string, status: StoredStatus, providerStatus: string, error: string | null, errorCode: string | null): Promise<DeliveryRow> {
    const rows = await updateReturning(
      q,
      `UPDATE ${this.s}.delivery SET status = $2, provider_status = $3, last_error = COALESCE($4, last_error), last_error_code = COALESCE($5, last_error_code), updated_at = now()
       WHERE id = $1 RETURNING *`,
      [id, status, providerStatus, error, errorCode],
    );
    return rows[0];
  }

  // --- retention (see the README's "Retention"): each call deletes one bounded batch, skipping rows another
  // instance is deleting, so any number of instances can prune at once and a run can stop after any batch.

  /** Finished deliveries (sent, delivered, failed, skipped) not touched for `days`. Waiting ones are never pruned. */
  async pruneFinishedDeliveries(q: Queryable, days: number, limit: number): Promise<number> {
    return this.deleteBatch(
      q,
      `WITH old AS (
         SELECT id FROM ${this.s}.delivery
         WHERE status IN ('sent', 'delivered', 'failed', 'skipped') AND updated_at < now() - $1::float8 * interval '1 day'
         LIMIT $2 FOR UPDATE SKIP LOCKED
       )
       DELETE FROM ${this.s}.delivery d USING old WHERE d.id = old.id`,
      [days, limit],
    );
  }

  /**
   * Snapshots not updated for `days` whose ticket has nothing left to send (alerts and updates render from them).
   * The next event of such a ticket carries a full snapshot again; its `alert_message` row is kept, so the Slack
   * message is still updated in place and never posted twice.
   */
  async pruneIdleSnapshots(q: Queryable, days: number, limit: number): Promise<number> {
    return this.deleteBatch(
      q,
      `WITH old AS (
         SELECT ticket_id FROM ${this.s}.ticket_snapshot sn
         WHERE updated_at < now() - $1::float8 * interval '1 day'
           AND NOT EXISTS (SELECT 1 FROM ${this.s}.delivery d WHERE d.ticket_id = sn.ticket_id AND d.status IN ('pending', 'retrying', 'sending', 'held'))
         LIMIT $2 FOR UPDATE SKIP LOCKED
       )
       DELETE FROM ${this.s}.ticket_snapshot t USING old WHERE t.ticket_id = old.ticket_id`,
      [days, limit],
    );
  }

  /** Slack commands older than `days` (a refusal comes back within seconds). */
  async pruneSlackCommands(q: Queryable, days: number, limit: number): Promise<number> {
    return this.deleteBatch(
      q,
      `WITH old AS (
         SELECT command_id FROM ${this.s}.slack_command WHERE created_at < now() - $1::float8 * interval '1 day'
         LIMIT $2 FOR UPDATE SKIP LOCKED
       )
       DELETE FROM ${this.s}.slack_command c USING old WHERE c.command_id = old.command_id`,
      [days, limit],
    );
  }

  private async deleteBatch(q: Queryable, sql: string, params: unknown[]): Promise<number> {
    const res = await q.query(sql, params);
    return Array.isArray(res) && typeof res[1] === 'number' ? res[1] : 0;
  }

  async recordSlackCommand(q: Queryable, c: { commandId: string; type: string; ticketId: string; agentId: string; slackUserId: string }): Promise<boolean> {
    const rows = await q.query(
      `INSERT INTO ${this.s}.slack_command (command_id, type, ticket_id, agent_id, slack_user_id) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (command_id) DO NOTHING RETURNING 1`,
      [c.commandId, c.type, c.ticketId, c.agentId, c.slackUserId],
    );
    return rows.length === 1;
  }

  async slackCommandType(q: Queryable, commandId: string): Promise<string | undefined> {
    const rows = await q.query(`SELECT type FROM ${this.s}.slack_command WHERE command_id = $1`, [commandId]);
    return rows[0]?.type;
  }
}

/** Deterministic, so a redelivered event maps to the same delivery ids. */
export function deliveryIdFor(ticketEventId: string, channel: string, recipient: string, purpose: string): string {
  return deterministicId('delivery', ticketEventId, channel, recipient, purpose);
}
