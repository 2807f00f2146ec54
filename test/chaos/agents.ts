/**
 * Agents at work during the faults: they claim tickets and resolve them, from Slack (signed interactions to a
 * notification instance: the Claim button, the resolve modal's submission) and from the agent API of tickets.
 * Like a person, an agent whose click or call did not get through (connection refused, 5xx, "couldn't record
 * your claim … try again", a modal answered with errors) tries again a little later. Every action that was taken
 * (API 200, Slack acknowledged without a "try again") must show in the ticket at the end; a refusal (API 409, an
 * ephemeral "You can't …") is an answer, not a loss. Resolves only go to tickets of customers who send nothing
 * else (the recovery probes), so "one ticket per (customer, touchpoint)" stays checkable.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { deterministicId } from '@closeloop/contracts';
import type { SlackStub } from '@closeloop/testing';
import { postJson, sleep, topLevelAlerts, withDb, type Schemas } from './harness';

export type AgentActionKind = 'claim' | 'resolve' | 'message';
export type AgentVia = 'slack' | 'api';

export interface AgentAction {
  ticketId: string;
  kind: AgentActionKind;
  via: AgentVia;
  /** ms since the activity started, of the last attempt */
  at: number;
  attempts: number;
  /** `taken`: the system said yes; `refused`: it said no, with a reason; `pending`: still to get through */
  outcome: 'taken' | 'refused' | 'pending';
  /** a message to the customer: its Idempotency-Key (the same on every attempt), and the id tickets gave it */
  key?: string;
  messageId?: string;
  /** Slack: the response_url id the answers of this action go to */
  responseId?: string;
  /** Slack: the notification instance that acknowledged it, and how often it had been started by then */
  ackedBy?: { url: string; starts: number };
  reason?: string;
}

export interface AgentsTarget {
  slack: SlackStub;
  signingSecret: string;
  agentToken: string;
  /** the Slack user mapped to the agent of `agentToken` */
  slackUserId: string;
  dbUrl: string;
  schemas?: Schemas;
  notificationUrls(): string[];
  ticketsUrls(): string[];
  /** how many times the instance at `url` was started (a change means it was killed and restarted meanwhile) */
  startsOf(url: string): number;
}

const ROOT_CAUSE = 'other';

export class AgentActivity {
  readonly actions: AgentAction[] = [];
  private readonly resolvable = new Set<string>();
  private readonly claimedByUs = new Set<string>();
  private readonly resolvedByUs = new Set<string>();
  private readonly messagedByUs = new Set<string>();
  private stopping = false;
  private loop?: Promise<void>;
  private readonly startedAt = Date.now();

  constructor(private readonly t: AgentsTarget, private readonly rnd: () => number, private readonly everyMs = 1_500) {}

  /** A ticket an agent may resolve (nobody else will send feedback for its customer). */
  mayResolve(ticketId: string): void {
    this.resolvable.add(ticketId);
  }

  start(): void {
    this.loop = (async () => {
      while (!this.stopping) {
        await this.tick().catch(() => undefined);
        await sleep(this.everyMs * (0.5 + this.rnd()));
      }
    })();
  }

  /** Stops new actions; keeps trying the pending ones for up to `drainMs`. */
  async stop(drainMs = 60_000): Promise<void> {
    this.stopping = true;
    await this.loop;
    const deadline = Date.now() + drainMs;
    while (Date.now() < deadline && (await this.retryPending()) > 0) await sleep(500);
  }

  /** Reads the Slack answers so far and tries every pending action once more; returns how many are still pending. */
  async retryPending(): Promise<number> {
    this.readSlackAnswers();
    await this.clickAgainIfLost();
    for (const a of this.pending()) await this.attempt(a);
    return this.pending().length;
  }

  pending(): AgentAction[] {
    return this.actions.filter((a) => a.outcome === 'pending');
  }

  private async tick(): Promise<void> {
    // a refused Slack action is told so through its response_url; a "try again" makes it pending once more
    this.readSlackAnswers();
    for (const a of this.pending()) await this.attempt(a);
    const alerts = topLevelAlerts(this.t.slack);
    const schema = this.t.schemas?.tickets ?? 'tickets';
    const open = await withDb(this.t.dbUrl, async (c) => (await c.query(`SELECT id::text AS id, status FROM "${schema}".ticket WHERE status <> 'resolved'`)).rows as { id: string; status: string }[]);
    const withAlert = open.filter((x) => alerts.has(x.id));
    // every other action from Slack, the rest through the API; a probe's ticket is resolved as soon as it is alerted
    const via: AgentVia = this.actions.length % 2 === 0 ? 'slack' : 'api';
    const toResolve = withAlert.filter((x) => this.resolvable.has(x.id) && !this.resolvedByUs.has(x.id));
    if (toResolve.length > 0) {
      const ticketId = toResolve[Math.floor(this.rnd() * toResolve.length)].id;
      this.resolvedByUs.add(ticketId);
      return this.attempt(this.record(ticketId, 'resolve', via));
    }
    // now and then the agent texts the customer of a ticket they claimed an apology (API, with an Idempotency-Key)
    const toMessage = withAlert.filter((x) => this.claimedByUs.has(x.id) && !this.messagedByUs.has(x.id)).sort((x, y) => x.id.localeCompare(y.id));
    if (toMessage.length > 0 && this.rnd() < 0.4) {
      const ticketId = toMessage[Math.floor(this.rnd() * toMessage.length)].id;
      this.messagedByUs.add(ticketId);
      const a = this.record(ticketId, 'message', 'api');
      a.key = `chaos-${randomBytes(8).toString('hex')}`;
      return this.attempt(a);
    }
    const toClaim = withAlert.filter((x) => x.status === 'open' && !this.claimedByUs.has(x.id)).sort((x, y) => x.id.localeCompare(y.id));
    if (toClaim.length === 0) return;
    const ticketId = toClaim[Math.floor(this.rnd() * toClaim.length)].id;
    this.claimedByUs.add(ticketId);
    await this.attempt(this.record(ticketId, 'claim', via));
  }

  private record(ticketId: string, kind: AgentActionKind, via: AgentVia): AgentAction {
    const a: AgentAction = { ticketId, kind, via, at: 0, attempts: 0, outcome: 'pending' };
    this.actions.push(a);
    return a;
  }

  private async attempt(a: AgentAction): Promise<void> {
    a.attempts += 1;
    a.at = Date.now() - this.startedAt;
    try {
      if (a.via === 'api') await this.viaApi(a);
      else await this.viaSlack(a);
    } catch {
      a.outcome = 'pending'; // refused connection, timeout: try again later
    }
  }

  private async viaApi(a: AgentAction): Promise<void> {
    const urls = this.t.ticketsUrls();
    const path = a.kind === 'message' ? 'messages' : a.kind;
    const url = `${urls[a.attempts % urls.length]}/v1/tickets/${a.ticketId}/${path}`;
    const body = a.kind === 'resolve' ? { rootCause: ROOT_CAUSE, note: 'chaos agent', customerContacted: true } : a.kind === 'message' ? { channel: 'sms', template: 'apology' } : {};
    const headers: Record<string, string> = { Authorization: `Bearer ${this.t.agentToken}`, ...(a.key ? { 'Idempotency-Key': a.key } : {}) };
    const r = await postJson(url, body, headers, 5_000);
    if (r.status === 200) a.outcome = 'taken';
    else if (r.status === 202 && a.kind === 'message') {
      a.outcome = 'taken';
      a.messageId = String(r.json?.messageId ?? '');
    }
    else if (r.status === 409 || r.status === 404) {
      a.outcome = 'refused';
      a.reason = `${r.status} ${String(r.json?.detail ?? r.json?.title ?? '').slice(0, 120)}`;
    } else a.outcome = 'pending';
  }

  private async viaSlack(a: AgentAction): Promise<void> {
    const alert = topLevelAlerts(this.t.slack).get(a.ticketId)?.[0];
    if (!alert) return;
    a.responseId = `chaos-${a.kind}-${a.ticketId}-${a.attempts}-${randomBytes(2).toString('hex')}`;
    const responseUrl = this.t.slack.respondUrl(a.responseId);
    const user = { id: this.t.slackUserId, username: this.t.slackUserId.toLowerCase() };
    const payload = a.kind === 'claim'
      ? {
        type: 'block_actions', user, channel: { id: alert.channel }, message: { ts: alert.ts },
        container: { type: 'message', message_ts: alert.ts, channel_id: alert.channel },
        actions: [{ action_id: 'claim', block_id: 'actions', value: a.ticketId, action_ts: `${Date.now() / 1000}` }],
        response_url: responseUrl, trigger_id: `trig-${randomBytes(4).toString('hex')}`,
      }
      : {
        // what Slack sends when the resolve modal (opened by the Resolve button) is submitted
        type: 'view_submission', user,
        view: {
          id: `VCHAOS${randomBytes(4).toString('hex')}`, hash: `${Date.now()}.chaos`, callback_id: 'closeloop_resolve',
          private_metadata: JSON.stringify({ ticketId: a.ticketId, responseUrl }),
          state: { values: {
            root_cause: { root_cause_select: { type: 'static_select', selected_option: { value: ROOT_CAUSE } } },
            note: { note_input: { type: 'plain_text_input', value: 'chaos agent' } },
            customer_contacted: { customer_contacted_check: { type: 'checkboxes', selected_options: [{ value: 'contacted' }] } },
          } },
        },
      };
    const urls = this.t.notificationUrls();
    const url = urls[a.attempts % urls.length];
    const starts = this.t.startsOf(url);
    const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = `v0=${createHmac('sha256', this.t.signingSecret).update(`v0:${ts}:${body}`).digest('hex')}`;
    const r = await fetch(`${url}/slack/interactions`, {
      method: 'POST', body, signal: AbortSignal.timeout(5_000),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Slack-Request-Timestamp': ts, 'X-Slack-Signature': sig },
    });
    const text = await r.text();
    if (r.status !== 200) return void (a.outcome = 'pending');
    // a modal submission answers at once: `{}` saved, `response_action: errors` not saved (try again)
    if (a.kind === 'resolve' && /response_action/.test(text)) return void (a.outcome = 'pending');
    a.outcome = 'taken';
    a.ackedBy = { url, starts };
  }

  /**
   * Slack is answered at once and the click handled right after: an instance killed in between loses the click
   * without a word, and the agent sees nothing change on the alert — so, like a person, clicks again.
   */
  private async clickAgainIfLost(): Promise<void> {
    const suspects = this.actions.filter((a) => a.via === 'slack' && a.outcome === 'taken' && a.ackedBy && this.t.startsOf(a.ackedBy.url) !== a.ackedBy.starts);
    if (suspects.length === 0) return;
    for (const a of await actionsWithoutEffect(this.t.dbUrl, suspects, this.t.schemas)) {
      a.outcome = 'pending';
      a.reason = 'the instance that acknowledged it was restarted and it did not take effect: clicked again';
    }
  }

  /** Ephemeral answers of Slack actions: "couldn't … try again" → pending again; "You can't …" → refused. */
  private readSlackAnswers(): void {
    for (const a of this.actions) {
      if (a.via !== 'slack' || a.outcome !== 'taken' || !a.responseId) continue;
      for (const r of this.t.slack.calls('response_url').filter((x) => x.responseUrlId === a.responseId)) {
        const text = String(r.form.text ?? '');
        if (/couldn't|try again/i.test(text)) a.outcome = 'pending';
        else if (/can't/i.test(text)) {
          a.outcome = 'refused';
          a.reason = text.slice(0, 160);
        }
      }
    }
  }
}

/**
 * Actions that were taken yet do not show in their ticket at the end: a claim left it open, a resolve did not resolve
 * it, a message to the customer is not recorded in tickets or its SMS was neither sent nor refused by Twilio (21610).
 */
export async function actionsWithoutEffect(dbUrl: string, actions: AgentAction[], schemas?: Schemas): Promise<AgentAction[]> {
  const schema = schemas?.tickets ?? 'tickets';
  const notification = schemas?.notification ?? 'notification';
  const status = new Map<string, string>(await withDb(dbUrl, async (c) => (await c.query(`SELECT id::text AS id, status FROM "${schema}".ticket`)).rows.map((r) => [r.id, r.status] as [string, string])));
  // a message's event id derives from its id (tickets' messageEventId); its SMS delivery is planned from that event
  const texted = new Set<string>(await withDb(dbUrl, async (c) => (await c.query(
    `SELECT ticket_event_id::text AS id FROM "${notification}".delivery
     WHERE purpose = 'customer_sms' AND (status IN ('sent', 'delivered') OR last_error_code = '21610')`,
  )).rows.map((r) => r.id as string)));
  return actions.filter((a) => {
    if (a.outcome !== 'taken') return false;
    if (a.kind === 'message') return !texted.has(deterministicId('ticket.customer_message_requested', a.messageId ?? ''));
    return a.kind === 'claim' ? status.get(a.ticketId) === 'open' || !status.has(a.ticketId) : status.get(a.ticketId) !== 'resolved';
  });
}
