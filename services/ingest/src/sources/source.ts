import type { FeedbackDto, FieldError, Source, SourceKind } from '@closeloop/contracts';

/** Request headers as Node gives them (lower-case names); a repeated header is an array. */
export type Headers = Readonly<Record<string, string | readonly string[] | undefined>>;

/** What the authenticity check sees: the body exactly as received, never a re-serialised parse. */
export interface Delivery {
  raw: Buffer;
  headers: Headers;
  /** The value of the source's `secretEnv`. */
  secret: string;
  /** The receipt time; Formbricks' timestamp window is measured from it. */
  now: Date;
}

/** The HTTP request that fetches the answers (qualtrics, surveymonkey); the caller owns the HTTP client. */
export interface FetchRequest {
  url: string;
  headers: Record<string, string>;
}

/**
 * What a delivery becomes (SPEC §10): feedback exactly as `POST /v1/feedback` accepts it (`202`), ignored with why
 * (`200`), unmappable with every missing or bad field (`422`, kept for replay), or, for the kinds that only notify,
 * the request that fetches the answers. An unmappable result names the customer id when the payload gave one, so
 * the kept payload can be found when that customer is erased (SPEC §13).
 */
export type MapResult =
  | { outcome: 'feedback'; feedback: FeedbackDto }
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'unmappable'; errors: FieldError[]; customerId?: string }
  | { outcome: 'fetch'; request: FetchRequest };

export interface MapContext {
  /** Receipt time: `generic`'s respondedAt when its path finds nothing. */
  receivedAt: Date;
  /** The value of `api.tokenEnv` (qualtrics, surveymonkey). */
  token?: string;
}

/** One survey tool: a pure authenticity check and a pure mapper. Nothing here does I/O. */
export interface Connector {
  kind: SourceKind;
  /** The body type the tool sends; anything else is `415`. */
  contentType: 'application/json' | 'application/x-www-form-urlencoded';
  /** True only for a body signed (or a token presented) with `secret`. Never throws. */
  verify(delivery: Delivery): boolean;
  /** The raw body as the tool encodes it; undefined when it cannot be decoded. Never throws. */
  parse(raw: Buffer): unknown;
  /** Payload (as `parse` returned it) + the source's routing → what to do. Never throws. */
  map(payload: unknown, source: Source, ctx: MapContext): MapResult;
  /** qualtrics / surveymonkey: the fetched API response → feedback. Never throws. */
  mapFetched?(payload: unknown, fetched: unknown, source: Source, ctx: MapContext): MapResult;
}
