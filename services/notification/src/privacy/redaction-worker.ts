import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { Topic, erasureProgressEvent, type RoutingConfig } from '@closeloop/contracts';
import { Outbox } from '@closeloop/messaging';
import { PeriodicJob } from '@closeloop/platform';
import { teamIdTranslator } from '../alerts/team-language';
import { CHAT_CHANNEL, SMS_CHANNEL, type ChatChannel, type DeliveryOutcome, type SmsChannel } from '../channels';
import { SERVICE, type NotificationConfig } from '../config';
import { backoffDelayMs } from '../delivery/retry-policy';
import { NotificationRepository } from '../persistence/notification.repository';
import { LOGGER, NOTIFICATION_CONFIG, ROUTING } from '../tokens';
import { ErasureRepository, type TaskRow } from './erase-customer';
import { storeOutcome } from './progress';
import { renderRedacted } from './redacted-message';

/** Rows claimed per round; a pass goes on round after round until the due rows are done. */
const BATCH = 20;

type TaskResult = { status: 'done' | 'failed' | 'pending'; reason?: string; retryInMs?: number };

/**
 * Drains the erasure work list (SPEC §13): each Slack message about the customer is `chat.update`d to its redacted
 * version (the team's language, the ticket's link, nothing of the customer), each Twilio message record is deleted
 * (`404` = already gone = done), each email delivery anonymised. Rows are claimed with `FOR UPDATE SKIP LOCKED` and
 * a lease committed before any call, so any number of instances share the list; a row is marked done only after its
 * call succeeded, so an instance killed mid-way leaves its rows to be taken again when their lease runs out (a repeated
 * `chat.update` shows the same thing, a repeated DELETE gets 404). Transient failures are retried with backoff,
 * without limit; permanent ones are recorded with the vendor's code. When every row of a store of an erasure has
 * ended, the store reports through the outbox, once.
 */
@Injectable()
export class RedactionWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly job: PeriodicJob<number>;
  private closing = false;
  private readonly leaseMs: number;

  constructor(
    private readonly ds: DataSource,
    private readonly repo: ErasureRepository,
    private readonly alerts: NotificationRepository,
    private readonly outbox: Outbox,
    @Inject(CHAT_CHANNEL) private readonly chat: ChatChannel,
    @Inject(SMS_CHANNEL) private readonly sms: SmsChannel,
    @Inject(ROUTING) private readonly routing: RoutingConfig,
    @Inject(NOTIFICATION_CONFIG) private readonly cfg: NotificationConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    // long enough for one call to time out and its result to be recorded; a crashed instance's rows wait this long
    this.leaseMs = cfg.delivery.providerTimeoutMs * 3;
    this.job = new PeriodicJob({ everyMs: cfg.delivery.pollMs, firstAfterMs: 0 }, () => this.pass());
  }

  onApplicationBootstrap(): void {
    this.job.start();
  }

  /** A pass now (one already running is joined). Resolves with how many rows it ended. */
  run(): Promise<number> {
    return this.job.run();
  }

  wake(): void {
    void this.job.run().catch(() => undefined);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.job.stop();
  }

  private async pass(): Promise<number> {
    let ended = 0;
    try {
      for (;;) {
        if (this.closing) break;
        const tasks = await this.repo.claim(this.ds, BATCH, this.leaseMs, randomUUID());
        for (const [i, t] of tasks.entries()) {
          if (this.closing) {
            // give the rest back at once: another instance (or this one after a restart) takes them without waiting for the lease
            for (const rest of tasks.slice(i)) await this.repo.release(this.ds, rest);
            break;
          }
          if (await this.handle(t)) ended++;
        }
        await this.report();
        if (tasks.length < BATCH) break;
      }
    } catch (err) {
      // the error's code only: a database error's detail may quote a row
      this.log.warn({ code: (err as { code?: unknown }).code, name: (err as Error).name }, 'erasure redaction pass failed; will retry');
    }
    return ended;
  }

  /** One row: its call, then its outcome recorded (false when it stays pending or the claim was lost). */
  private async handle(t: TaskRow): Promise<boolean> {
    let result: TaskResult;
    if (t.kind === 'email') {
      return this.ds.transaction(async (m) => {
        await this.repo.anonymiseDeliveries(m, { ids: [t.external_id] }, 'email');
        return this.repo.finish(m, t, { status: 'done' });
      });
    }
    if (t.kind === 'slack') {
      const at = t.external_id.indexOf(':');
      const [channel, ts] = [t.external_id.slice(0, at), t.external_id.slice(at + 1)];
      const role = t.role === 'reply' ? 'reply' : 'alert';
      // the alert's own update lease: a delivery worker that rendered the alert before the erasure never overwrites
      // the redacted version with what it rendered (it renders again, from the anonymised snapshot, after us)
      if (role === 'alert' && !(await this.alerts.lockAlertForUpdate(this.ds, t.ticket_id, channel, this.leaseMs))) {
        await this.repo.finish(this.ds, t, { status: 'pending', reason: 'alert_being_updated', retryInMs: 500 });
        return false;
      }
      const message = renderRedacted(role, t.ticket_id, this.cfg.consoleUrl, teamIdTranslator(this.routing, t.team ?? this.routing.defaults.team));
      const outcome = await this.chat.update({ channel, ts, text: message.text, blocks: message.blocks }).finally(async () => {
        if (role === 'alert') await this.alerts.unlockAlert(this.ds, t.ticket_id, channel).catch(() => undefined);
      });
      // a message someone already deleted holds nothing of the customer any more: done, and said so
      result = outcome.kind === 'failed' && outcome.code === 'message_not_found' ? { status: 'done', reason: 'message_not_found' } : this.resultOf(outcome, t);
    } else {
      const outcome = await this.sms.deleteMessage(t.external_id);
      result =
        outcome.kind === 'deleted' ? { status: 'done' }
        : outcome.kind === 'not_found' ? { status: 'done', reason: 'not_found' }
        : this.resultOf(outcome, t, 'twilio_');
    }
    const recorded = await this.repo.finish(this.ds, t, result);
    const fields = { erasureId: t.erasure_id, kind: t.kind, ticketId: t.ticket_id, status: result.status, reason: result.reason };
    if (result.status === 'failed') this.log.warn(fields, 'erasure record could not be redacted');
    else this.log.debug(fields, 'erasure record redacted');
    return recorded && result.status !== 'pending';
  }

  private resultOf(outcome: DeliveryOutcome, t: TaskRow, prefix = ''): TaskResult {
    if (outcome.kind === 'sent') return { status: 'done' };
    // vendor codes only: a reason text may quote what was sent
    const code = `${prefix}${outcome.code ?? (outcome.kind === 'failed' ? 'rejected' : 'unavailable')}`;
    if (outcome.kind === 'failed') return { status: 'failed', reason: code };
    return { status: 'pending', reason: code, retryInMs: outcome.retryAfterMs ?? backoffDelayMs(t.attempts + 1, this.cfg.delivery) };
  }

  /** Every store whose rows have all ended reports once (outbox, with the mark, in one transaction). */
  private async report(): Promise<void> {
    await this.ds.transaction(async (m) => {
      for (const r of await this.repo.finishedStores(m, 100)) {
        const outcome = storeOutcome(r.done, r.failed, r.reasons ?? []);
        await this.outbox.add(m, Topic.PrivacyEvents, r.customer_id, erasureProgressEvent({ eventId: r.request_event_id, data: { erasureId: r.erasure_id, customerId: r.customer_id } }, { store: r.store, ...outcome, by: SERVICE }));
        await this.repo.markReported(m, r.erasure_id, r.store);
        this.log.info({ erasureId: r.erasure_id, store: r.store, status: outcome.status, erased: outcome.erased, failed: r.failed }, 'erasure store reported');
      }
    });
  }
}
