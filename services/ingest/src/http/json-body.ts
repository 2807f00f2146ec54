import type { IncomingMessage } from 'node:http';
import { MAX_JSON_DEPTH, tooDeep } from '@closeloop/platform';
import { Problem, ProblemError, problems } from './problem';

/**
 * SPEC §4: only JSON is accepted. `application/json` and `application/*+json`, UTF-8 only (RFC 8259 §8.1),
 * uncompressed. Returns the problem to answer with, or null when the request may be read.
 */
export function mediaTypeProblem(contentType: string | undefined, contentEncoding?: string): Problem | null {
  if (!contentType) return problems.unsupportedMediaType('the request has no Content-Type; send the body as application/json');
  const [type, ...params] = contentType.split(';');
  const mediaType = type.trim().toLowerCase();
  if (mediaType !== 'application/json' && !/^application\/[^\s/]+\+json$/.test(mediaType)) {
    return problems.unsupportedMediaType(`Content-Type ${mediaType || '(empty)'} is not supported; send the body as application/json`);
  }
  for (const p of params) {
    const [name, value = ''] = p.split('=');
    if (name.trim().toLowerCase() === 'charset' && !/^"?utf-?8"?$/i.test(value.trim())) {
      return problems.unsupportedMediaType(`charset ${value.trim()} is not supported; JSON must be UTF-8`);
    }
  }
  if (contentEncoding && contentEncoding.trim().toLowerCase() !== 'identity') {
    return problems.unsupportedMediaType(`Content-Encoding ${contentEncoding} is not supported; send the body uncompressed`);
  }
  return null;
}

/**
 * Parses a complete UTF-8 body; an empty or broken body is a 400 that says what is wrong, and so is one nested deeper
 * than MAX_JSON_DEPTH (checked iteratively here, before validation copies it recursively).
 */
export function parseJsonBody(raw: Buffer): unknown {
  let text = raw.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a UTF-8 byte order mark is allowed to be ignored (RFC 8259 §8.1)
  if (text.trim() === '') throw new ProblemError(problems.malformedJson('the body is empty, expected a JSON object'));
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new ProblemError(problems.malformedJson((err as Error).message));
  }
  const deep = tooDeep(body);
  if (deep) throw new ProblemError(problems.validation([{ field: deep, message: `is nested deeper than ${MAX_JSON_DEPTH} levels` }], 'the request body'));
  return body;
}

/**
 * Reads and parses the request body, refusing more than `limitBytes` (see readRawBody).
 */
export async function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  return parseJsonBody(await readRawBody(req, limitBytes));
}

/**
 * Reads the request body as bytes, refusing more than `limitBytes`: at once when Content-Length says so,
 * otherwise as soon as the stream passes the limit (chunked uploads). The rest of a refused body is drained by
 * Node after the response, so the client reads the 413 instead of a reset connection. Sources need the bytes
 * exactly as sent: their signatures are over them.
 */
export function readRawBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limitBytes) return Promise.reject(new ProblemError(problems.tooLarge(limitBytes)));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const fail = (problem: Problem) => {
      cleanup();
      req.resume();
      reject(new ProblemError(problem));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) fail(problems.tooLarge(limitBytes));
      else chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => fail(problems.badRequest(`the request body could not be read: ${err.message}`));
    const onClose = () => {
      if (!req.complete) fail(problems.badRequest('the client closed the connection before the body was complete'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
