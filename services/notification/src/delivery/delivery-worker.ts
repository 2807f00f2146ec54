import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { assignableAgents, type TicketSnapshot } from '@closeloop/contracts';
import { SerialRunner } from '@closeloop/messaging';
import { CHAT_CHANNEL, EMAIL_CHANNEL, SMS_CHANNEL, type ChatChannel, type DeliveryOutcome, type EmailChannel, type SmsChannel } from '../channels';
import { twilioStatusCallbackUrl, type NotificationConfig } from '../config';
import { deliveriesTotal, deliveryLatencySeconds, stageLatencySeconds } from '../metrics';
import { NotificationRepository, type ClaimedDelivery, type DeliveryRow } from '../persistence/notification.repository';
import { ALERT_METADATA_EVENT_TYPE, REPLY_METADATA_EVENT_TYPE, renderAlert, type RenderOptions, type RenderedMessage } from '../slack/blocks';
import { renderTrend } from '../trends/trend-message';
import { teamIdTranslator, ticketTranslator } from '../alerts/team-language';
import { LOG_CHANNEL, LOGGER, NOTIFICATION_CONFIG } from '../tokens';
import { CustomerConsent } from '../outreach/customer-consent';
import { DeliveryPublisher } from './delivery-publisher';
import { decideAfterAttempt, type AttemptDecision, type RetryPolicy } from './retry-policy';
import { isPacedPost, wakeBucket } from './pacing';

/** How long an update or reply waits before looking again for its top-level alert's `ts`. */
const WAIT_FOR_ALERT_MS = 500;
/** How long a thread reply or an email waits for an earlier one of the same ticket (still being sent or retried). */
const WAIT_FOR_EARLIER_REPLY_MS = 200;
/** How long an update waits when another instance is updating the same message. */
const WAIT_FOR_LOCK_MS = 250;
/** Slack `ts` values are seconds; look a little before the delivery was planned when reconciling. */
const RECONCILE_LOOKBACK_S = 60;
/**
 * Timed wake-ups (a channel slot freeing, a queue finished) are rounded up to this grid, so the ones falling close
 * together share one claim. A new delivery still wakes the worker at once.
 */
const WAKE_BUCKET_MS = 20;
/** A wake-up for a slot comes this much after the slot frees by our clock (the slot's own time is the database's). */
const SLOT_WAKE_MARGIN_MS = 5;

/**
 * Deliveries to one recipient are sent one at a time, in order. `response_url` answers are independent of each
 * other (each is its own URL), so each is its own queue. Must match the key computed in `claimDue`.
 */
export function queueKey(d: Pick<ClaimedDelivery, 'id' | 'channel' | 'recipient' | 'purpose'>): string {
  return d.purpose === 'ephemeral' ? d.id : `${d.channel}:${d.recipient}`;
}

const isTrendDelivery = (d: DeliveryRow) => (d.payload.kind === 'alert' || d.payload.kind === 'update') && d.payload.subject === 'trend';
const subjectName = (d: DeliveryRow) => (isTrendDelivery(d) ? 'trend' : 'ticket');

type AfterFinish = (m: EntityManager, decision: AttemptDecision, row: DeliveryRow) => Promise<void>;

/**
 * Sends due deliveries. Each pass claims a batch (`FOR UPDATE SKIP LOCKED` → `sending` + lease, committed), calls
 * the provider outside any transaction, then records the outcome and its `notification.delivery` event together.
 * Any number of instances can run this loop on the same schema.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;

  /** The alert's render options: the console link, the clock, the **Assign** menu's agents and the language of the ticket's team. */
  private renderOptions(ticket: TicketSnapshot): RenderOptions {
    const assignees = assignableAgents(this.cfg.routing.agents, ticket.team).map((a) => ({ id: a.id, name: a.name }));
    return { consoleUrl: this.cfg.consoleUrl, now: new Date(), assignees, i18n: ticketTranslator(this.cfg.routing, ticket) };
  }
  /** Queues being sent, by recipient (see queueKey). */
  private readonly inflight = new Map<string, Promise<void>>();
  /** Deliveries whose provider call has started in this attempt: if recording the result fails, it may have gone out. */
  private readonly calledProvider = new WeakSet<ClaimedDelivery>();
  /** Timed wake-ups, by when they fire (see wakeAt). */
  private readonly wakeTimers = new Map<number, NodeJS.Timeout>();
  /** The last claim took all it was allowed to: more may be due, so a queue finishing claims again at once. */
  private lastClaimFull = false;
  private stopped = true;
  private readonly runner = new SerialRunner(
    async () => {
      while (!this.stopped && (await this.claimMore())) {
        /* took as many as it could: there may be more due */
      }
    },
    () => this.stopped,
    (err) => this.log.warn({ err }, 'claiming deliveries failed; will retry'),
  );
  private readonly policy: RetryPolicy;
  private readonly leaseMs: number;
  private readonly d: NotificationConfig['delivery'];

  constructor(
    private readonly ds: DataSource,
    private readonly repo: NotificationRepository,
    private readonly publisher: DeliveryPublisher,
    private readonly consent: CustomerConsent,
    @Inject(CHAT_CHANNEL) private readonly chat: ChatChannel,
    @Inject(LOG_CHANNEL) private readonly logChannel: ChatChannel & SmsChannel & EmailChannel,
    @Inject(SMS_CHANNEL) private readonly sms: SmsChannel,
    @Inject(EMAIL_CHANNEL) private readonly email: EmailChannel,
    @Inject(NOTIFICATION_CONFIG) private readonly cfg: NotificationConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.d = cfg.delivery;
    this.policy = { maxAttempts: this.d.maxAttempts, backoffBaseMs: this.d.backoffBaseMs, backoffMaxMs: this.d.backoffMaxMs };
    // long enough for a reconciliation (up to 5 history pages) and a post, each bounded by the provider timeout
    this.leaseMs = this.d.providerTimeoutMs * 7 + 5_000;
  }

  onApplicationBootstrap(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.d.pollMs);
    this.wake();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const t of this.wakeTimers.values()) clearTimeout(t);
    this.wakeTimers.clear();
    await this.runner.idle();
    await Promise.allSettled([...this.inflight.values()]);
  }

  /** Claims more work now, or right after the current claim (new deliveries were just committed, or a queue finished). */
  wake(): void {
    this.runner.wake();
  }

  /**
   * Claims more work at `atMs` (this process's clock), rounded up to WAKE_BUCKET_MS so that wake-ups close together
   * share one claim. Between these and new deliveries, the poll (`DELIVERY_POLL_MS`) finds what is left, such as a
   * slot another instance took.
   */
  private wakeAt(atMs: number): void {
    if (this.stopped) return;
    const at = wakeBucket(atMs, WAKE_BUCKET_MS);
    if (this.wakeTimers.has(at)) return;
    const timer = setTimeout(() => {
      this.wakeTimers.delete(at);
      this.wake();
    }, Math.max(0, at - Date.now()));
    this.wakeTimers.set(at, timer);
  }

  /**
   * Claims due deliveries up to the free capacity and starts sending them without waiting for each other: a slow
   * Slack call never holds up an SMS. One recipient's deliveries go one after the other, oldest first (thread
   * replies keep the order of their events), and a recipient with a delivery in flight here is not claimed again
   * until it is done. A post to a Slack channel is claimed only when the channel's slot is free, one per channel
   * (`claimDue`). Returns whether it claimed as many as it could (then there may be more due).
   */
  private async claimMore(): Promise<boolean> {
    const room = this.d.batchSize - this.inflight.size;
    if (room <= 0) return false;
    const claimed = await this.repo.claimDue(this.ds, room, this.leaseMs, randomUUID(), [...this.inflight.keys()], this.d.slackChannelIntervalMs);
    this.lastClaimFull = claimed.length >= room;
    // the slots this claim took free again one interval from now: the channels' next posts are claimed then
    if (claimed.some((d) => d.slot_taken)) this.wakeAt(Date.now() + this.d.slackChannelIntervalMs + SLOT_WAKE_MARGIN_MS);
    const ordered = [...claimed].sort((x, y) => x.next_attempt_at.getTime() - y.next_attempt_at.getTime() || x.created_at.getTime() - y.created_at.getTime());
    const queues = new Map<string, ClaimedDelivery[]>();
    for (const d of ordered) queues.set(queueKey(d), [...(queues.get(queueKey(d)) ?? []), d]);
    for (const [key, queue] of queues) {
      const sending = (async () => {
        for (const d of queue) await this.process(d);
      })().finally(() => {
        this.inflight.delete(key);
        // room again: claim at once if the last claim was cut short by the room, else with the next timed wake-up
        // (this recipient may have more due; one claim then serves every queue finishing in the same bucket)
        if (this.lastClaimFull) this.wake();
        else this.wakeAt(Date.now());
      });
      this.inflight.set(key, sending);
    }
    return claimed.length > 0 && claimed.length >= room;
  }

  private async process(d: ClaimedDelivery): Promise<void> {
    try {
      switch (d.purpose) {
        case 'alert':
          return await this.postAlert(d);
        case 'update':
          return await this.updateAlert(d);
        case 'thread_reply':
          return await this.postThreadReply(d);
        case 'sms':
        case 'customer_sms':
          return await this.sendSms(d);
        case 'email':
        case 'customer_email':
          return await this.sendEmail(d);
        case 'ephemeral':
          return await this.sendEphemeral(d);
        case 'digest':
          return await this.sendDigest(d);
        default:
          throw new Error(`unknown delivery purpose ${String((d as { purpose?: unknown }).purpose)}`);
      }
    } catch (err) {
      // Our own failure (database): give the row back; if that fails too, its lease runs out and it is retried
      // (then claimDue marks it maybe_delivered). After a provider call the message may have gone out: the next
      // attempt of an alert, a thread reply or an SMS reconciles (Slack history, the thread's replies, Twilio's
      // message list) before sending again; an ephemeral answer has nothing to look up and may be sent twice in this
      // rare case (README).
      const maybeDelivered = this.calledProvider.has(d);
      this.log.error({ err, deliveryId: d.id, purpose: d.purpose, maybeDelivered }, 'delivery could not be processed; retrying');
      await this.repo.release(this.ds, d, this.d.backoffBaseMs, { maybeDelivered }).catch(() => undefined);
    }
  }

  // --- chat -----------------------------------------------------------------------------------------------

  private chatFor(d: DeliveryRow): ChatChannel {
    return d.channel === 'slack' ? this.chat : this.logChannel;
  }

  /**
   * The top-level alert. Slack has no idempotency key, so: the row is `sending` (committed) before the call; the
   * post carries metadata naming the ticket; and after an ambiguous outcome (timeout, 5xx, a worker that died
   * mid-call) the channel history is searched for that metadata before anything is posted again.
   */
  private async postAlert(d: ClaimedDelivery): Promise<void> {
    // a ticket's newest snapshot comes with its alert row, unless history is searched first (then it is read after)
    const preread = !isTrendDelivery(d) && !d.maybe_delivered;
    const alert = await this.repo.alertMessage(this.ds, d.ticket_id, d.recipient, { withSnapshot: preread });
    if (!alert) return this.finishWithoutAttempt(d, 'failed', 'the alert message record is missing');
    if (alert.ts) return this.complete(d, { kind: 'sent', providerId: alert.ts, ts: alert.ts, channel: alert.channel }, false);
    const chat = this.chatFor(d);

    if (d.maybe_delivered) {
      const oldest = String(Math.floor(d.created_at.getTime() / 1000) - RECONCILE_LOOKBACK_S);
      const found = await chat.findPostedMessage({ channel: d.recipient, eventType: ALERT_METADATA_EVENT_TYPE, payload: { ticket_id: d.ticket_id }, oldest });
      if (found.kind === 'found') {
        this.log.info({ deliveryId: d.id, ticketId: d.ticket_id, channel: d.recipient }, 'ambiguous alert post found in channel history; not posting again');
        deliveriesTotal.inc({ channel: d.channel, purpose: d.purpose, outcome: 'reconciled' });
        return this.complete(d, { kind: 'sent', providerId: found.ts, ts: found.ts, channel: d.recipient }, true, async (m, decision) => {
          if (decision.status === 'sent') await this.repo.markAlertPosted(m, d.ticket_id, d.recipient, found.ts, d.snapshot_version);
        });
      }
      if (found.kind !== 'not_found') return this.complete(d, found, true);
    }

    if (!(await this.takeSlot(d))) return;
    const subject = await this.rendered(d, preread ? alert.snapshot : undefined);
    if (!subject) return this.finishWithoutAttempt(d, 'failed', `no snapshot of the ${subjectName(d)}`);
    this.calledProvider.add(d);
    const outcome = await chat.postMessage({
      channel: d.recipient,
      ...subject.message,
      metadata: { eventType: ALERT_METADATA_EVENT_TYPE, payload: { ticket_id: d.ticket_id } },
    });
    await this.complete(d, outcome, true, async (m, decision) => {
      if (decision.status !== 'sent' || !decision.ts) return;
      await this.repo.markAlertPosted(m, d.ticket_id, d.recipient, decision.ts, subject.version);
      if (subject.openedAt) stageLatencySeconds.observe({ stage: 'alerted' }, Math.max(0, (Date.now() - Date.parse(subject.openedAt)) / 1000));
    });
  }

  /**
   * What a top-level message shows now: the newest snapshot of its ticket, or of its trend (SPEC §12) — a trend's
   * message is an alert like a ticket's, keyed by the trend id, so it is posted once, paced and updated the same way.
   */
  private async rendered(
    d: ClaimedDelivery,
    /** The ticket's snapshot read a moment ago (null: there is none); undefined: read it now. */
    snapshot?: TicketSnapshot | null,
  ): Promise<{ version: number; openedAt?: string; message: RenderedMessage } | undefined> {
    if (isTrendDelivery(d)) {
      const trend = await this.repo.latestTrend(this.ds, d.ticket_id);
      return trend && { version: trend.version, message: renderTrend(trend, { consoleUrl: this.cfg.consoleUrl, i18n: teamIdTranslator(this.cfg.routing, trend.team) }) };
    }
    const ticket = snapshot === undefined ? await this.repo.latestSnapshot(this.ds, d.ticket_id) : (snapshot ?? undefined);
    return ticket && { version: ticket.version, openedAt: ticket.openedAt, message: renderAlert(ticket, this.renderOptions(ticket)) };
  }

  /** `chat.update` of the alert, rendered from the newest snapshot; skipped when that version is already shown. */
  private async updateAlert(d: ClaimedDelivery): Promise<void> {
    const alert = await this.readyAlert(d);
    if (!alert) return;
    const subject = await this.rendered(d);
    if (!subject) return this.finishWithoutAttempt(d, 'failed', `no snapshot of the ${subjectName(d)}`);
    if (alert.rendered_version >= subject.version) {
      deliveriesTotal.inc({ channel: d.channel, purpose: d.purpose, outcome: 'skipped' });
      return this.finishWithoutAttempt(d, 'skipped', `version ${subject.version} is already shown`);
    }
    if (!(await this.repo.lockAlertForUpdate(this.ds, d.ticket_id, alert.channel, this.leaseMs))) {
      await this.repo.release(this.ds, d, WAIT_FOR_LOCK_MS);
      return;
    }
    let outcome: DeliveryOutcome;
    try {
      this.calledProvider.add(d);
      outcome = await this.chatFor(d).update({ channel: alert.channel, ts: alert.ts, ...subject.message });
    } catch (err) {
      await this.repo.unlockAlert(this.ds, d.ticket_id, alert.channel).catch(() => undefined);
      throw err;
    }
    await this.complete(d, outcome, true, async (m, decision) => {
      await this.repo.unlockAlert(m, d.ticket_id, alert.channel, decision.status === 'sent' ? subject.version : undefined);
    });
  }

  /**
   * A reply in the alert's thread, after every earlier reply of the ticket. Like the alert it carries metadata
   * (its delivery id), and after an ambiguous outcome the thread (`conversations.replies`) is searched first.
   */
  private async postThreadReply(d: ClaimedDelivery): Promise<void> {
    if (d.payload.kind !== 'thread_reply') return this.finishWithoutAttempt(d, 'failed', `unexpected payload ${d.payload.kind}`);
    const alert = await this.readyAlert(d);
    if (!alert) return;
    if (await this.repo.hasEarlierUnsent(this.ds, d)) {
      await this.repo.release(this.ds, d, WAIT_FOR_EARLIER_REPLY_MS);
      return;
    }
    const chat = this.chatFor(d);
    const metadata = { eventType: REPLY_METADATA_EVENT_TYPE, payload: { delivery_id: d.id } };
    if (d.maybe_delivered) {
      const oldest = String(Math.floor(d.created_at.getTime() / 1000) - RECONCILE_LOOKBACK_S);
      const found = await chat.findPostedMessage({ channel: alert.channel, threadTs: alert.ts, oldest, ...metadata });
      if (found.kind === 'found') {
        this.log.info({ deliveryId: d.id, ticketId: d.ticket_id, channel: alert.channel }, 'ambiguous thread reply found in the thread; not posting again');
        deliveriesTotal.inc({ channel: d.channel, purpose: d.purpose, outcome: 'reconciled' });
        return this.complete(d, { kind: 'sent', providerId: found.ts, ts: found.ts, channel: alert.channel }, true);
      }
      if (found.kind !== 'not_found') return this.complete(d, found, true);
    }
    if (!(await this.takeSlot(d))) return;
    this.calledProvider.add(d);
    const outcome = await chat.postMessage({ channel: alert.channel, text: d.payload.text, threadTs: alert.ts, metadata });
    await this.complete(d, outcome, true);
  }

  /**
   * The alert an update or reply belongs to, once it has a `ts`. Until then the delivery waits (given back
   * without counting an attempt) — it never posts a top-level message itself. If the alert failed for good,
   * so does the delivery.
   */
  private async readyAlert(d: ClaimedDelivery): Promise<{ channel: string; ts: string; rendered_version: number } | undefined> {
    const alert = await this.repo.alertMessage(this.ds, d.ticket_id, d.recipient);
    if (!alert) {
      await this.finishWithoutAttempt(d, 'failed', 'no top-level alert of this ticket in this channel to update');
      return undefined;
    }
    if (alert.ts) return { channel: alert.channel, ts: alert.ts, rendered_version: alert.rendered_version };
    // no status: its delivery was pruned (retention) while still without a ts, so it failed long ago
    if (alert.alert_status === 'failed' || alert.alert_status === null) {
      await this.finishWithoutAttempt(d, 'failed', `the top-level alert could not be posted: ${alert.alert_error ?? 'unknown error'}`, 'alert_failed');
      return undefined;
    }
    await this.repo.release(this.ds, d, WAIT_FOR_ALERT_MS);
    return undefined;
  }

  /**
   * At most one post per `SLACK_CHANNEL_INTERVAL_MS` per Slack channel, across instances (a row per channel). The
   * claim usually took the slot already (`slot_taken`); otherwise another instance (or a 429) got there in between
   * and this tries once more, else gives the delivery back until the slot frees and wakes the worker then.
   */
  private async takeSlot(d: ClaimedDelivery): Promise<boolean> {
    if (!isPacedPost(d) || this.d.slackChannelIntervalMs === 0 || d.slot_taken) return true;
    const slot = await this.repo.takeChannelSlot(this.ds, d.recipient, this.d.slackChannelIntervalMs, d.id);
    if (slot.ok) {
      this.wakeAt(Date.now() + this.d.slackChannelIntervalMs + SLOT_WAKE_MARGIN_MS);
      return true;
    }
    // due exactly when the slot frees: deliveries waiting for it then go oldest first
    await this.repo.release(this.ds, d, slot.at);
    this.wakeAt(Date.now() + slot.waitMs + SLOT_WAKE_MARGIN_MS);
    return false;
  }

  /**
   * A lead's daily digest: a DM (the channel is the lead's Slack user id), paced like any post to that channel. A DM's
   * history is not searched after an ambiguous outcome: in that rare case a digest may arrive twice (README).
   */
  private async sendDigest(d: ClaimedDelivery): Promise<void> {
    if (d.payload.kind !== 'digest') return this.finishWithoutAttempt(d, 'failed', `unexpected payload ${d.payload.kind}`);
    if (!(await this.takeSlot(d))) return;
    this.calledProvider.add(d);
    const outcome = await this.chatFor(d).postMessage({ channel: d.recipient, text: d.payload.text });
    await this.complete(d, outcome, true);
  }

  private async sendEphemeral(d: ClaimedDelivery): Promise<void> {
    if (d.payload.kind !== 'ephemeral') return this.finishWithoutAttempt(d, 'failed', `unexpected payload ${d.payload.kind}`);
    this.calledProvider.add(d);
    const outcome = await this.chatFor(d).respond(d.payload.responseUrl, { response_type: 'ephemeral', replace_original: false, text: d.payload.text });
    await this.complete(d, outcome, true);
  }

  // --- email ----------------------------------------------------------------------------------------------

  /**
   * An alert email: the thread's first message, or a reply naming it. Sent after every earlier email of the ticket
   * to the same mailbox, so a reply never arrives before what it answers. SMTP has nothing to look up afterwards: an
   * attempt that may have gone out is sent again with the same Message-ID, which mail clients show once (ADR 0015).
   */
  private async sendEmail(d: ClaimedDelivery): Promise<void> {
    if (d.payload.kind !== 'email') return this.finishWithoutAttempt(d, 'failed', `unexpected payload ${d.payload.kind}`);
    if (await this.repo.hasEarlierUnsent(this.ds, d)) {
      await this.repo.release(this.ds, d, WAIT_FOR_EARLIER_REPLY_MS);
      return;
    }
    const { subject, text, messageId, inReplyTo, headers } = d.payload;
    const customer = d.purpose === 'customer_email';
    if (customer && !headers?.['List-Unsubscribe']) {
      return this.finishWithoutAttempt(d, 'failed', 'PUBLIC_BASE_URL is not set: an email to a customer needs an unsubscribe link', 'no_unsubscribe_link');
    }
    const channel = d.channel === 'email' ? this.email : this.logChannel;
    // an email to a customer is personal data: the log channel (no SMTP) prints its size, never its words
    const shown = customer && channel.provider !== 'smtp' ? { subject: '[email to a customer]', text: `[${text.length} characters]` } : { subject, text };
    this.calledProvider.add(d);
    const outcome = await channel.sendEmail({
      to: customer ? [d.recipient] : d.recipient.split(', '), ...shown, messageId, ...(inReplyTo ? { inReplyTo } : {}), ...(headers ? { headers } : {}),
    });
    await this.complete(d, outcome, true);
  }

  // --- sms ------------------------------------------------------------------------------------------------

  /**
   * Twilio has no idempotency key either. A delivery marked `maybe_delivered` (Twilio accepted it but the result
   * could not be recorded, or the worker died mid-call) is looked up in Twilio's message list first: the same body
   * to the same number since the delivery was planned, not already recorded by another delivery → recorded as
   * sent, not sent again; the list itself failing → retried later, never "assume not sent". A request that timed
   * out before Twilio created the message is not in the list, and is simply sent again.
   */
  private async sendSms(d: ClaimedDelivery): Promise<void> {
    if (d.payload.kind !== 'sms') return this.finishWithoutAttempt(d, 'failed', `unexpected payload ${d.payload.kind}`);
    const channel = d.channel === 'sms' ? this.sms : this.logChannel;
    if (d.maybe_delivered) {
      const found = await channel.findSent({ to: d.recipient, body: d.payload.body, since: new Date(d.created_at.getTime() - RECONCILE_LOOKBACK_S * 1000) });
      if (found.kind === 'found') {
        const taken = await this.repo.providerIdsTakenByOthers(this.ds, found.messages.map((m) => m.providerId), d.id);
        const mine = found.messages.find((m) => !taken.has(m.providerId));
        if (mine) {
          this.log.info({ deliveryId: d.id, ticketId: d.ticket_id, providerId: mine.providerId }, 'possibly sent SMS found in Twilio; not sending again');
          deliveriesTotal.inc({ channel: d.channel, purpose: d.purpose, outcome: 'reconciled' });
          return this.complete(d, { kind: 'sent', providerId: mine.providerId, ...(mine.status ? { status: mine.status } : {}) }, true);
        }
      } else if (found.kind !== 'not_found') return this.complete(d, found, true);
    }
    const statusCallback = channel.provider === 'twilio' ? twilioStatusCallbackUrl(this.cfg) : undefined;
    // a customer message is personal data: the log channel (no Twilio) prints its size, never its text
    const body = d.purpose === 'customer_sms' && channel.provider !== 'twilio' ? `[message to a customer, ${d.payload.body.length} characters]` : d.payload.body;
    this.calledProvider.add(d);
    const outcome = await channel.send({ to: d.recipient, body, ...(statusCallback ? { statusCallback } : {}) });
    // Twilio 21610 on a customer message: failed for good, and tickets is told the customer opted out (same transaction)
    await this.complete(d, outcome, true, d.purpose === 'customer_sms' ? this.consent.afterCustomerSms : undefined);
  }

  // --- recording --------------------------------------------------------------------------------------------

  /** Records an attempt's outcome (and what it implies) with its delivery event, in one transaction. */
  private async complete(d: ClaimedDelivery, outcome: DeliveryOutcome, attempted: boolean, after?: AfterFinish): Promise<void> {
    const attempts = d.attempts + (attempted ? 1 : 0);
    const decision = decideAfterAttempt(outcome, Math.max(1, attempts), this.policy);
    const provider =
      d.purpose === 'sms' || d.purpose === 'customer_sms'
        ? (d.channel === 'sms' ? this.sms.provider : 'log')
        : d.purpose === 'email' || d.purpose === 'customer_email' ? (d.channel === 'email' ? this.email.provider : 'log') : this.chatFor(d).provider;
    await this.ds.transaction(async (m) => {
      const row = await this.repo.finish(m, d, {
        status: decision.status,
        attempted,
        provider,
        ...(decision.status === 'sent'
          ? { providerId: decision.providerId, providerStatus: decision.providerStatus ?? 'sent', error: null, errorCode: null }
          : { error: decision.error, errorCode: decision.code ?? null }),
        ...(decision.status === 'retrying' ? { delayMs: decision.delayMs, maybeDelivered: decision.maybeDelivered } : {}),
      });
      if (!row) {
        this.log.warn({ deliveryId: d.id }, 'delivery was taken over by another worker (lease expired); its result is not recorded here');
        return;
      }
      // Slack rate limits are per channel (and method): hold every instance's posts to that channel too.
      if (decision.status === 'retrying' && d.channel === 'slack' && outcome.kind === 'retry' && outcome.retryAfterMs !== undefined && d.purpose !== 'ephemeral') {
        await this.repo.pushChannelSlot(m, d.recipient, outcome.retryAfterMs);
      }
      await after?.(m, decision, row);
      await this.publisher.publishFinished(m, row);
    });
    deliveriesTotal.inc({ channel: d.channel, purpose: d.purpose, outcome: decision.status });
    if (decision.status === 'sent') deliveryLatencySeconds.observe({ channel: d.channel, purpose: d.purpose }, Math.max(0, (Date.now() - d.created_at.getTime()) / 1000));
    const fields = { deliveryId: d.id, ticketId: d.ticket_id, channel: d.channel, purpose: d.purpose, attempts };
    if (decision.status === 'failed') this.log.error({ ...fields, error: decision.error, code: decision.code }, 'delivery failed permanently');
    else if (decision.status === 'retrying') this.log.warn({ ...fields, error: decision.error, code: decision.code, retryInMs: decision.delayMs }, 'delivery will be retried');
    else this.log.debug(fields, 'delivery sent');
  }

  private async finishWithoutAttempt(d: ClaimedDelivery, status: 'failed' | 'skipped', error: string, code?: string): Promise<void> {
    await this.ds.transaction(async (m) => {
      const row = await this.repo.finish(m, d, { status, attempted: false, error, errorCode: code ?? null });
      if (row) await this.publisher.publishFinished(m, row);
    });
    if (status === 'failed') {
      deliveriesTotal.inc({ channel: d.channel, purpose: d.purpose, outcome: 'failed' });
      this.log.error({ deliveryId: d.id, ticketId: d.ticket_id, purpose: d.purpose, error }, 'delivery failed permanently');
    }
  }
}
