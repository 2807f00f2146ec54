import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { FieldError, Source } from '@closeloop/contracts';
import { Logger, SERVICE_LOGGER } from '@closeloop/platform';
import { MAX_BODY_BYTES, type SourceSecrets } from '../../config';
import { IntakeService } from '../../feedback/intake.service';
import { mediaTypeProblem, readRawBody } from '../../http/json-body';
import { ProblemError, problems, type Problem } from '../../http/problem';
import { sourceDeliveries, type SourceOutcome } from '../../metrics';
import { databaseUnavailable } from '../../persistence/database-unavailable';
import { keptFetched, type DeliveryBounds } from '../deliveries/bounds';
import { DeliveryRecorder } from '../deliveries/delivery-recorder';
import type { DeliveryRow } from '../deliveries/delivery-store';
import { opsOutcome, recordedAs, type DeliveryOutcome } from '../deliveries/outcome';
import { CONNECTORS, type Connector, type MapContext, type MapResult } from '../index';
import { DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_MS, fetchAnswers, type FetchPolicy } from './answers-fetch';

/** The sources of the routing file with what each is checked and fetched with (read at start, see config.ts). */
export class SourcesSettings {
  constructor(
    readonly sources: readonly Source[],
    readonly secrets: ReadonlyMap<string, SourceSecrets>,
    readonly fetchPolicy: FetchPolicy,
    readonly bounds: DeliveryBounds,
  ) {}

  static of(sources: readonly Source[], secrets: ReadonlyMap<string, SourceSecrets>, fetchTimeoutMs: number, bounds: DeliveryBounds): SourcesSettings {
    return new SourcesSettings(sources, secrets, { timeoutMs: fetchTimeoutMs, attempts: DEFAULT_ATTEMPTS, backoffMs: DEFAULT_BACKOFF_MS }, bounds);
  }
}

export type SourceAnswer =
  | { status: 202; body: { feedbackId: string; duplicate: boolean; revision: number } }
  | { status: 200; body: { ignored: string } };

/** What a payload became once mapped (with its answers fetched, for qualtrics and surveymonkey). */
export type Mapped =
  | { outcome: 'mapped'; result: Exclude<MapResult, { outcome: 'fetch' }>; fetched?: unknown }
  | { outcome: 'fetch_failed'; reason: string };

/** How a delivery ended, before it is recorded and answered. */
type Processed =
  | { kind: 'refused'; outcome: SourceOutcome; problem: Problem; headers?: Record<string, string>; fields?: FieldError[] }
  | { kind: 'ignored'; reason: string }
  | { kind: 'unmappable'; errors: FieldError[]; raw: Buffer; contentType: string; fetched?: unknown; customerId: string | null }
  | { kind: 'accepted'; feedbackId: string; duplicate: boolean; revision: number };

/** Which header a kind's authenticity check reads, for the 401's detail (never the value). */
const PROOF: Record<Source['kind'], string> = {
  questionpro: 'the Authorization: Bearer token',
  generic: 'the Authorization: Bearer token',
  typeform: 'the Typeform-Signature header',
  delighted: 'the X-Delighted-Webhook-Signature header',
  formbricks: 'the webhook-signature (with webhook-id and a webhook-timestamp within 5 minutes)',
  qualtrics: 'the HMAC form field',
  surveymonkey: 'the Sm-Signature header',
};

/**
 * A refusal's reason as the latest deliveries show it: written here, never copied from the request (a 415's detail
 * quotes the Content-Type header; the row must not carry what the sender wrote).
 */
const REFUSAL_REASON: Partial<Record<SourceOutcome, string>> = {
  unsupported_media_type: 'a body type this kind never sends (415)',
  too_large: 'body over 1 MiB (413)',
  bad_request: 'the body could not be read (400)',
  kafka_unavailable: 'Kafka did not acknowledge; the tool retries (503)',
  database_unavailable: 'the database did not answer; the tool retries (503)',
};

/**
 * SPEC §10: `POST /v1/sources/{id}`. Checks run cheapest first: unknown source (404) → media type (415) → body read
 * with the 1 MiB limit (413) → the kind's authenticity check on the raw bytes (401) → map (200 ignored / 422) → for
 * qualtrics and surveymonkey the answers' fetch (503 when the vendor's API keeps failing) → the same publish as
 * `POST /v1/feedback` (202, or 503 when Kafka or Postgres does not answer).
 *
 * Every delivery of a known source is then recorded (deliveries/), in step with `closeloop_source_deliveries_total`:
 * - 401: the hour's count only (no trace but a counter); other refusals and 503s: a row and the count. A failure to
 *   record them is logged; the answer stays the refusal.
 * - 200 ignored: a row and the count first; if that fails, `503` (the tool resends, and it is recorded then).
 * - 422: the payload kept, its row and the count in one transaction; if that fails, `503` (nothing kept, nothing
 *   dropped: the tool resends).
 * - 202: published only inside the revision transaction (its locks and lookups answered first: persistence/revision-store.ts),
 *   recorded after Kafka acknowledged.
 *   A failure to record then is logged (without payload) and the answer is still 202: the feedback is accepted, only
 *   its row and count are missing.
 * Logs carry the source, kind, outcome and field names, never a payload, header or secret.
 */
@Injectable()
export class SourceIntakeService {
  private readonly byId: ReadonlyMap<string, Source>;

  constructor(
    private readonly settings: SourcesSettings,
    private readonly intake: IntakeService,
    private readonly recorder: DeliveryRecorder,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    this.byId = new Map(settings.sources.map((s) => [s.id, s]));
  }

  /** The source the routing file ingest runs with declares under `id`. */
  source(id: string): Source | undefined {
    return this.byId.get(id);
  }

  async deliver(id: string, req: IncomingMessage): Promise<SourceAnswer> {
    const source = this.byId.get(id);
    if (!source) {
      this.count({ id: '(unknown)', kind: '(unknown)' }, 'unknown_source', 404);
      throw new ProblemError(problems.unknownSource(id));
    }
    const receivedAt = new Date();
    const size = { bytes: declaredLength(req) };
    const processed = await this.process(source, req, receivedAt, size);
    return this.finish(source, processed, receivedAt, size.bytes);
  }

  private async process(source: Source, req: IncomingMessage, now: Date, size: { bytes: number }): Promise<Processed> {
    const connector = CONNECTORS[source.kind];
    const secrets = this.settings.secrets.get(source.id) ?? { secret: '' };
    const refused = (outcome: SourceOutcome, problem: Problem, headers?: Record<string, string>, fields?: FieldError[]): Processed =>
      ({ kind: 'refused', outcome, problem, headers, fields });

    const media = bodyTypeProblem(connector, req.headers['content-type'], req.headers['content-encoding']);
    if (media) return refused('unsupported_media_type', media);
    let raw: Buffer;
    try {
      raw = await readRawBody(req, MAX_BODY_BYTES);
    } catch (err) {
      if (err instanceof ProblemError) return refused(err.problem.status === 413 ? 'too_large' : 'bad_request', err.problem, err.headers);
      throw err;
    }
    size.bytes = raw.length;
    // an empty secret never verifies anything (start-up refuses a blank secretEnv; this is the belt to that)
    if (secrets.secret === '' || !connector.verify({ raw, headers: req.headers, secret: secrets.secret, now })) {
      return refused('rejected', problems.unauthenticSource(PROOF[source.kind]));
    }

    const payload = connector.parse(raw);
    const mapped = await this.map(source, payload, now);
    if (mapped.outcome === 'fetch_failed') {
      this.logger.warn({ source: source.id, kind: source.kind, reason: mapped.reason }, 'source delivery: answers could not be fetched');
      return refused('fetch_failed', problems.sourceApiUnavailable(mapped.reason), { 'Retry-After': '30' });
    }
    const result = mapped.result;
    switch (result.outcome) {
      case 'ignored':
        return { kind: 'ignored', reason: result.reason };
      case 'unmappable':
        return {
          kind: 'unmappable', errors: result.errors, raw, contentType: String(req.headers['content-type'] ?? connector.contentType), fetched: mapped.fetched,
          customerId: result.customerId ?? null,
        };
      case 'feedback':
        break;
    }
    try {
      const plan = await this.intake.acceptValidated(result.feedback);
      if (plan.kind === 'rejected') {
        return { kind: 'unmappable', errors: plan.errors, raw, contentType: String(req.headers['content-type']), fetched: mapped.fetched, customerId: result.feedback.customer.id };
      }
      return { kind: 'accepted', feedbackId: plan.feedbackId, duplicate: plan.duplicate, revision: plan.revision };
    } catch (err) {
      if (err instanceof ProblemError && err.problem.status === 503) {
        const outcome = err.problem.type === problems.databaseUnavailable().type ? 'database_unavailable' : 'kafka_unavailable';
        return refused(outcome, err.problem, err.headers);
      }
      throw err;
    }
  }

  /**
   * The source's mapping of a parsed payload, with the answers fetched for the kinds that only notify. A replay
   * passes the answers it kept (`keptAnswers`) so they are not fetched again.
   */
  async map(source: Source, payload: unknown, receivedAt: Date, keptAnswers?: { body: unknown }): Promise<Mapped> {
    const connector = CONNECTORS[source.kind];
    const token = this.settings.secrets.get(source.id)?.token;
    const ctx: MapContext = { receivedAt, ...(token !== undefined && { token }) };
    const first = connector.map(payload, source, ctx);
    if (first.outcome !== 'fetch') return { outcome: 'mapped', result: first };
    const answers = keptAnswers ?? (await fetchAnswers(first.request, this.settings.fetchPolicy));
    if ('ok' in answers && !answers.ok) return { outcome: 'fetch_failed', reason: answers.reason };
    const fetched = answers as { body: unknown };
    const result = connector.mapFetched?.(payload, fetched.body, source, ctx)
      ?? { outcome: 'unmappable', errors: [{ field: '(root)', message: `kind ${source.kind} cannot map fetched answers` }] };
    if (result.outcome === 'fetch') {
      return { outcome: 'mapped', result: { outcome: 'unmappable', errors: [{ field: '(root)', message: 'the fetched answers asked for another fetch' }] }, fetched: fetched.body };
    }
    return { outcome: 'mapped', result, fetched: fetched.body };
  }

  private async finish(source: Source, p: Processed, receivedAt: Date, bytes: number): Promise<SourceAnswer> {
    const row = (outcome: DeliveryOutcome, status: number, reason: string | null, feedbackId: string | null = null): DeliveryRow =>
      ({ sourceId: source.id, receivedAt, outcome, status, reason, feedbackId, keptId: null, bytes });
    switch (p.kind) {
      case 'refused': {
        const status = p.problem.status;
        this.count(source, p.outcome, status, p.fields);
        const ops = opsOutcome(p.outcome);
        if (ops) {
          const write = recordedAs(status) === 'count'
            ? this.recorder.counted(source.id, ops, receivedAt)
            : this.recorder.record(row(ops, status, REFUSAL_REASON[p.outcome] ?? p.problem.detail));
          await write.catch((err: unknown) => this.notRecorded(source, p.outcome, err));
        }
        throw new ProblemError(p.problem, p.headers);
      }
      case 'ignored':
        try {
          await this.recorder.record(row('ignored', 200, p.reason));
        } catch (err) {
          return this.unrecordable(source, err);
        }
        this.count(source, 'ignored', 200);
        return { status: 200, body: { ignored: p.reason } };
      case 'unmappable': {
        const problem = problems.unmappable(p.errors);
        let keptId: string;
        try {
          keptId = await this.recorder.keep(row('unmappable', 422, problem.detail), {
            sourceId: source.id, kind: source.kind, receivedAt, contentType: p.contentType, body: p.raw,
            fetched: keptFetched(p.fetched, this.settings.bounds.keptFetchedMaxBytes), reason: problem.detail, errors: p.errors, customerId: p.customerId,
          });
        } catch (err) {
          return this.unrecordable(source, err);
        }
        this.count(source, 'unmappable', 422, p.errors);
        throw new ProblemError({ ...problem, detail: `${problem.detail}; the payload is kept (${keptId}) and can be replayed once the routing file is fixed` });
      }
      case 'accepted': {
        const outcome = p.duplicate ? 'duplicate' : 'accepted';
        this.count(source, outcome, 202);
        // Kafka has it: a failure to write it down must not turn the 202 into an error (the sender would resend for nothing)
        await this.recorder.record(row(outcome, 202, null, p.feedbackId)).catch((err: unknown) => this.notRecorded(source, outcome, err));
        return { status: 202, body: { feedbackId: p.feedbackId, duplicate: p.duplicate, revision: p.revision } };
      }
    }
  }

  /** An ignored or unmappable delivery that could not be recorded (or kept): 503, the tool resends it. */
  private unrecordable(source: Source, err: unknown): never {
    this.count(source, 'database_unavailable', 503);
    this.logger.error({ source: source.id, kind: source.kind, err: (err as Error).message }, 'source delivery could not be recorded: answered 503');
    throw databaseUnavailable();
  }

  private notRecorded(source: Source, outcome: SourceOutcome, err: unknown): void {
    this.logger.error({ source: source.id, kind: source.kind, outcome, err: (err as Error).message }, 'source delivery answered but not recorded');
  }

  private count(source: { id: string; kind: string }, outcome: SourceOutcome, status: number, errors?: FieldError[]): void {
    sourceDeliveries.inc({ source: source.id, kind: source.kind, outcome });
    // a refused signature or an unknown id is what scanners produce: counted, logged only at debug
    const level = outcome === 'rejected' || outcome === 'unknown_source' ? 'debug' : 'info';
    this.logger[level]({ source: source.id, kind: source.kind, outcome, status, ...(errors && { fields: errors.map((e) => e.field) }) }, 'source delivery');
  }
}

/** The body size a request announces (what a refusal before reading records); 0 when it announces none. */
function declaredLength(req: IncomingMessage): number {
  const n = Number(req.headers['content-length']);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

/** `415` for a body type the kind never sends: JSON kinds as `POST /v1/feedback` takes it; Qualtrics posts a form. */
export function bodyTypeProblem(connector: Connector, contentType: string | undefined, contentEncoding: string | undefined): Problem | null {
  if (connector.contentType === 'application/json') return mediaTypeProblem(contentType, contentEncoding);
  const form = 'application/x-www-form-urlencoded';
  const [type, ...params] = (contentType ?? '').split(';');
  if (type.trim().toLowerCase() !== form) {
    return problems.unsupportedMediaType(`Content-Type ${type.trim() || '(none)'} is not what ${connector.kind} sends; expected ${form}`);
  }
  const charset = params.map((p) => p.split('=')).find(([name]) => name.trim().toLowerCase() === 'charset')?.[1]?.trim();
  if (charset !== undefined && !/^"?utf-?8"?$/i.test(charset)) return problems.unsupportedMediaType(`charset ${charset} is not supported; the form must be UTF-8`);
  if (contentEncoding && contentEncoding.trim().toLowerCase() !== 'identity') {
    return problems.unsupportedMediaType(`Content-Encoding ${contentEncoding} is not supported; send the body uncompressed`);
  }
  return null;
}
