import type { Locale } from '../i18n/locales';
import type { Metric } from '../scales';

/** Alert when a score is at or below this value, per metric (nps 0-10, csat 1-5, ces 1-7). */
export type AlertThresholds = Record<Metric, number>;

/** Local wall-clock window during which non-critical SMS are held. `start` > `end` wraps past midnight. */
export interface QuietHours {
  /** "HH:MM", 24-hour clock, inclusive. */
  start: string;
  /** "HH:MM", 24-hour clock, exclusive. */
  end: string;
  /** IANA time zone, e.g. "Europe/Istanbul". */
  timezone: string;
}

export interface Team {
  id: string;
  /** Slack channel id (e.g. C0CX); absent → alerts for this team go to the log channel only. */
  slackChannel?: string;
  /** E.164 numbers that get critical and SLA-breach SMS; may be empty. */
  onCall: string[];
  quietHours?: QuietHours;
  /** As written in the file (ISO-8601 durations), for display. */
  sla: { firstResponse: string; resolve: string };
  /** The same durations in milliseconds, for arithmetic. A day is always 24 h. */
  slaMs: { firstResponse: number; resolve: number };
  /** How long after a resolve with `recheck: true` the `recheck` template goes out (SPEC §11); default P3D. */
  recheckAfter: string;
  recheckAfterMs: number;
  /** Addresses that get this team's alerts by email (SPEC §11); empty when the file names none. */
  email: string[];
  /** How new tickets of the team get an assignee (SPEC §12, ADR 0021); `none` when the file says nothing. */
  assign: AssignPolicy;
  /** SPEC §12: who is told, and when, while nobody has claimed a ticket; `after` strictly increasing. Empty: no chain. */
  escalation: EscalationStep[];
  /** Slack user-group id (S…) that `channel-mention` mentions; without it the team's leads are mentioned one by one. */
  slackUserGroup?: string;
  /** SPEC §14: the language of the team's Slack, SMS and email alerts, trend alerts and digest; `en` when the file says nothing. */
  locale: Locale;
  /**
   * SPEC §14: the IANA time zone the team's alerts show dates in. Absent in the file → the quiet hours' time zone,
   * else UTC (see `teamTimeZone`).
   */
  timezone?: string;
}

/** How an escalation step tells people (SPEC §12). */
export const ESCALATION_NOTIFY_KINDS = ['oncall-sms', 'lead-sms', 'lead-email', 'channel-mention'] as const;
export type EscalationNotify = (typeof ESCALATION_NOTIFY_KINDS)[number];

export interface EscalationStep {
  /** ISO-8601 duration from the opening (or the reopening) of the ticket, as written. */
  after: string;
  afterMs: number;
  notify: EscalationNotify[];
}

export const ASSIGN_POLICIES = ['round-robin', 'least-open', 'none'] as const;
export type AssignPolicy = (typeof ASSIGN_POLICIES)[number];

export interface Touchpoint {
  id: string;
  team: string;
  /** Per-metric overrides of `defaults.alertAt`; missing metrics fall back to the defaults. */
  alertAt?: Partial<AlertThresholds>;
}

/**
 * SPEC §12: an agent reads and acts on their team's tickets; a lead also assigns, exports and sees the team's reports;
 * ops see the topic dashboard, sources and dead letters and may replay them (tickets read-only); admin all of it and erasure.
 */
export const AGENT_ROLES = ['agent', 'lead', 'ops', 'admin'] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

export interface Agent {
  id: string;
  name: string;
  team: string;
  /** `agent` when the file says nothing. */
  role: AgentRole;
  slackUserId?: string;
  phone?: string;
  /** Where a lead gets escalation emails (SPEC §12 `lead-email`). */
  email?: string;
  /** SPEC §14: the console's language for this agent until they pick another in the console; `en` when the file says nothing. */
  locale: Locale;
}

/** The validated routing file (SPEC §3). Optional lists in the file are present here as empty arrays. */
export interface RoutingConfig {
  defaults: { team: string; alertAt: AlertThresholds };
  teams: Team[];
  touchpoints: Touchpoint[];
  /** Matched case-insensitively on the comment; kept here exactly as written. */
  keywords: { critical: string[]; alert: string[] };
  agents: Agent[];
  /** Slugs a resolution must pick from. */
  rootCauses: string[];
  /** Survey tools posting to ingest (SPEC §10); empty when the file has none. */
  sources: Source[];
  /** Messages to customers (SPEC §11), by name then locale; `{}` when the file has none. */
  templates: Templates;
  /** Trend alerts (SPEC §12); absent when the file has none. */
  trends?: Trends;
  /** The leads' daily digest (SPEC §12); absent when the file has none. */
  digest?: Digest;
  /** How long personal data is kept before it is anonymised (SPEC §13); absent when the file has none. */
  retention?: Retention;
}

/** An age past which personal data is anonymised, as written (`P365D`) and in milliseconds. */
export interface RetentionAge { text: string; ms: number }

/** SPEC §13: per kind of data, how long it keeps its personal fields; a kind not named is kept until erased. */
export interface Retention {
  /** resolved tickets (by resolution time), with their notes, timeline texts and customer messages */
  resolvedTickets?: RetentionAge;
  /** feedback (by received time): comments and customer contact fields, wherever kept */
  feedback?: RetentionAge;
  /** what survey tools sent, kept by ingest (by received time) */
  sourcePayloads?: RetentionAge;
}

/** A group of action-required feedback spikes: ≥ minNegatives in `window` and ≥ factor × the usual rate (ADR 0020). */
export interface Trends {
  window: string;
  windowMs: number;
  minNegatives: number;
  factor: number;
  /** `touchpoint` and/or `attributes.<name>`, in the file's order. */
  by: string[];
}

/** Yesterday's numbers for each team's leads at `at` local time in `timezone`. */
export interface Digest {
  at: string;
  timezone: string;
}

/** One problem in a routing file. `path` is the data path (`teams[1].sla.resolve`, '' for the whole file). */
export interface RoutingConfigProblem {
  path: string;
  message: string;
  /** 1-based position in the YAML text, when it could be located. */
  line?: number;
  col?: number;
}

/** On failure, `message` is `formatRoutingErrors(errors, source)`, ready to print. */
export type RoutingConfigResult =
  | { ok: true; config: RoutingConfig }
  | { ok: false; errors: RoutingConfigProblem[]; message: string };

/** Where services look when `CLOSELOOP_CONFIG` is unset (SPEC §3), relative to the working directory. */
export const DEFAULT_ROUTING_CONFIG_PATH = 'config/closeloop.yaml';

/** The survey tools a source can be (SPEC §10). */
export const SOURCE_KINDS = ['questionpro', 'typeform', 'delighted', 'formbricks', 'qualtrics', 'surveymonkey', 'generic'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/**
 * Where a source finds each part of the feedback. For the vendor kinds `score` and `comment` name a question (its
 * ref / id / code); every other entry is a dotted path into the payload as received (for `generic`, every entry is).
 */
export interface SourceFields {
  score?: string;
  comment?: string;
  customerId?: string;
  touchpoint?: string;
  /** generic only */
  externalId?: string;
  /** generic only */
  respondedAt?: string;
}

/** A survey tool posting to `POST /v1/sources/{id}` (SPEC §10). */
export interface Source {
  /** `[a-z0-9-]+`, unique: the URL segment. */
  id: string;
  kind: SourceKind;
  /** The environment variable holding the signing secret or shared token. */
  secretEnv: string;
  /** Used when `fields.touchpoint` finds nothing. */
  touchpoint?: string;
  metric: Metric;
  fields: SourceFields;
  /** qualtrics / surveymonkey: where the answers are fetched; `surveyId`, when set, ignores deliveries about other surveys. */
  api?: { url: string; tokenEnv: string; surveyId?: string };
}

/** The variables a template may use (SPEC §11), written `{{customer.name}}`. */
export const TEMPLATE_VARIABLES = ['customer.name', 'agent.name', 'touchpoint', 'ticket.id', 'recheckUrl'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/** One template in one locale; either channel may be missing (the renderer then says so). Texts are plain text. */
export interface LocalizedTemplate {
  sms?: string;
  email?: { subject: string; body: string };
}

/** `templates.<name>.<locale>`; every template has an `en` entry, the last fallback. Locale keys are as written. */
export type Templates = Record<string, Record<string, LocalizedTemplate>>;
