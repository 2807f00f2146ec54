import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { FieldError, Source } from '@closeloop/contracts';
import { Logger, SERVICE_LOGGER } from '@closeloop/platform';
import { MAX_BODY_BYTES, type SourceSecrets } from '../../config';
import { IntakeService } from '../../feedback/intake.service';
import { mediaTypeProblem, readRawBody } from '../../http/json-body';
import { ProblemError, problems, type Problem } from '../../http/problem';
import { sourceDeliveries, type SourceOutcome } from '../../metrics';
import { CONNECTORS, type Connector, type MapContext, type MapResult } from '../index';
import { DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_MS, fetchAnswers, type FetchPolicy } from './answers-fetch';

/** The sources of the routing file with what each is checked and fetched with (read at start, see config.ts). */
export class SourcesSettings {
  constructor(
    readonly sources: readonly Source[],
    readonly secrets: ReadonlyMap<string, SourceSecrets>,
    readonly fetchPolicy: FetchPolicy,
  ) {}

  static of(sources: readonly Source[], secrets: ReadonlyMap<string, SourceSecrets>, fetchTimeoutMs: number): SourcesSettings {
    return new SourcesSettings(sources, secrets, { timeoutMs: fetchTimeoutMs, attempts: DEFAULT_ATTEMPTS, backoffMs: DEFAULT_BACKOFF_MS });
  }
}

export type SourceAnswer =
  | { status: 202; body: { feedbackId: string; duplicate: boolean; revision: number } }
  | { status: 200; body: { ignored: string } };

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
 * SPEC §10: `POST /v1/sources/{id}`. Checks run cheapest first: unknown source (404) → media type (415) → body read
 * with the 1 MiB limit (413) → the kind's authenticity check on the raw bytes (401) → map (200 ignored / 422) → for
 * qualtrics and surveymonkey the answers' fetch (503 when the vendor's API keeps failing) → the same publish as
 * `POST /v1/feedback` (202, or 503 when Kafka does not acknowledge). Every delivery is counted by its outcome; logs
 * carry the source, kind, outcome and field names, never a payload, header or secret.
 */
@Injectable()
export class SourceIntakeService {
  private readonly byId: ReadonlyMap<string, Source>;

  constructor(
    private readonly settings: SourcesSettings,
    private readonly intake: IntakeService,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    this.byId = new Map(settings.sources.map((s) => [s.id, s]));
  }

  async deliver(id: string, req: IncomingMessage): Promise<SourceAnswer> {
    const source = this.byId.get(id);
    if (!source) {
      this.count({ id: '(unknown)', kind: '(unknown)' }, 'unknown_source', 404);
      throw new ProblemError(problems.unknownSource(id));
    }
    const connector = CONNECTORS[source.kind];
    const secrets = this.settings.secrets.get(source.id) ?? { secret: '' };
    const refuse = (outcome: SourceOutcome, problem: Problem, headers?: Record<string, string>, fields?: FieldError[]): never => {
      this.count(source, outcome, problem.status, fields);
      throw new ProblemError(problem, headers);
    };

    const media = bodyTypeProblem(connector, req.headers['content-type'], req.headers['content-encoding']);
    if (media) return refuse('unsupported_media_type', media);
    let raw: Buffer;
    try {
      raw = await readRawBody(req, MAX_BODY_BYTES);
    } catch (err) {
      if (err instanceof ProblemError) return refuse(err.problem.status === 413 ? 'too_large' : 'bad_request', err.problem, err.headers);
      throw err;
    }
    const now = new Date();
    // an empty secret never verifies anything (start-up refuses a blank secretEnv; this is the belt to that)
    if (secrets.secret === '' || !connector.verify({ raw, headers: req.headers, secret: secrets.secret, now })) {
      return refuse('rejected', problems.unauthenticSource(PROOF[source.kind]));
    }

    const payload = connector.parse(raw);
    const ctx: MapContext = { receivedAt: now, ...(secrets.token !== undefined && { token: secrets.token }) };
    let result: MapResult = connector.map(payload, source, ctx);
    if (result.outcome === 'fetch') {
      const fetched = await fetchAnswers(result.request, this.settings.fetchPolicy);
      if (!fetched.ok) {
        this.logger.warn({ source: source.id, kind: source.kind, reason: fetched.reason }, 'source delivery: answers could not be fetched');
        return refuse('fetch_failed', problems.sourceApiUnavailable(fetched.reason), { 'Retry-After': '30' });
      }
      result = connector.mapFetched?.(payload, fetched.body, source, ctx)
        ?? { outcome: 'unmappable', errors: [{ field: '(root)', message: `kind ${source.kind} cannot map fetched answers` }] };
    }

    switch (result.outcome) {
      case 'ignored':
        this.count(source, 'ignored', 200);
        return { status: 200, body: { ignored: result.reason } };
      case 'unmappable':
        // SPEC §10 keeps the payload for replay; keeping it is not built yet (services/ingest/README.md).
        return refuse('unmappable', problems.unmappable(result.errors), undefined, result.errors);
      case 'fetch':
        return refuse('unmappable', problems.unmappable([{ field: '(root)', message: 'the fetched answers asked for another fetch' }]));
      case 'feedback':
        break;
    }

    let plan: Awaited<ReturnType<IntakeService['acceptValidated']>>;
    try {
      plan = await this.intake.acceptValidated(result.feedback);
    } catch (err) {
      if (err instanceof ProblemError && err.problem.status === 503) return refuse('kafka_unavailable', err.problem, err.headers);
      throw err;
    }
    if (plan.kind === 'rejected') return refuse('unmappable', problems.unmappable(plan.errors), undefined, plan.errors);
    this.count(source, plan.duplicate ? 'duplicate' : 'accepted', 202);
    return { status: 202, body: { feedbackId: plan.feedbackId, duplicate: plan.duplicate, revision: plan.revision } };
  }

  private count(source: { id: string; kind: string }, outcome: SourceOutcome, status: number, errors?: FieldError[]): void {
    sourceDeliveries.inc({ source: source.id, kind: source.kind, outcome });
    // a refused signature or an unknown id is what scanners produce: counted, logged only at debug
    const level = outcome === 'rejected' || outcome === 'unknown_source' ? 'debug' : 'info';
    this.logger[level]({ source: source.id, kind: source.kind, outcome, status, ...(errors && { fields: errors.map((e) => e.field) }) }, 'source delivery');
  }
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
