import { Writable } from 'node:stream';
import pino from 'pino';
import { DataSource, QueryFailedError } from 'typeorm';
import { createDataSource, createLogger, loggerOptions, serializeError } from '../src';
import { runDatabaseUrl, uniqueName } from './run-infra';

/**
 * A database error logged by any service must not carry the row it failed on: TypeORM's QueryFailedError holds the
 * statement's parameters (a feedback's email, phone and comment; on-call numbers), and pg's detail/where repeat them.
 */
const EMAIL = 'deniz.yilmaz@example.com';
const PHONE = '+905551112233';
const COMMENT = 'the courier threw my parcel over the fence';
const feedback = JSON.stringify({ customer: { id: 'c-1', email: EMAIL, phone: PHONE }, comment: COMMENT });
const PERSONAL = [EMAIL, PHONE, COMMENT, 'deniz.yilmaz', '5551112233'];

const schema = uniqueName('logtest');
let ds: DataSource;

beforeAll(async () => {
  ds = await createDataSource({ url: runDatabaseUrl(), schema, entities: [], migrations: [], poolSize: 2 }).initialize();
  await ds.query(`CREATE SCHEMA "${schema}"`);
  await ds.query(`CREATE TABLE "${schema}".feedback (email text PRIMARY KEY, phone text NOT NULL, data jsonb NOT NULL)`);
  await ds.query(`INSERT INTO "${schema}".feedback (email, phone, data) VALUES ($1, $2, $3)`, [EMAIL, PHONE, feedback]);
});
afterAll(async () => {
  await ds?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await ds?.destroy();
});

async function failure(sql: string, params: unknown[]): Promise<QueryFailedError> {
  try {
    await ds.query(sql, params);
  } catch (err) {
    return err as QueryFailedError;
  }
  throw new Error(`expected ${sql} to fail`);
}

function capture() {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) });
  return { stream, text: () => lines.join('') };
}

const cases: [string, string, () => unknown[]][] = [
  // 23505: detail = "Key (email)=(deniz…) already exists."
  ['a unique violation', `INSERT INTO "${schema}".feedback (email, phone, data) VALUES ($1, $2, $3)`, () => [EMAIL, PHONE, feedback]],
  // 22P02: the message itself quotes the value
  ['a data exception quoting the value', 'SELECT $1::int AS n', () => [PHONE]],
  // 22P02 on json: detail names the token, where repeats the JSON
  ['broken JSON', `INSERT INTO "${schema}".feedback (email, phone, data) VALUES ('x', 'y', $1)`, () => [`${feedback.slice(0, -1)}, ${PHONE}`]],
];

describe('errors in logs', () => {
  it.each(cases)('%s: a real QueryFailedError carries the personal data (the premise of this test)', async (_name, sql, params) => {
    const err = await failure(sql, params());
    expect(err).toBeInstanceOf(QueryFailedError);
    expect(JSON.stringify(pino.stdSerializers.err(err))).toMatch(new RegExp(`${EMAIL}|\\${PHONE}`));
  });

  it.each(cases)('%s: the service logger writes the error without it, keeping what ops need', async (_name, sql, params) => {
    const err = await failure(sql, params());
    const out = capture();
    const logger = createLogger('test', 'info', out.stream);
    logger.error({ err }, 'request failed');
    logger.warn({ error: err }, 'retrying');
    logger.error({ err: new Error('handler failed', { cause: err }) }, 'wrapped');
    const text = out.text();
    for (const p of PERSONAL) expect(text).not.toContain(p);
    const first = JSON.parse(text.split('\n')[0]);
    expect(first.err).toMatchObject({ type: 'QueryFailedError', code: (err as unknown as { code: string }).code, message: expect.any(String) });
    expect(first.err.stack).toMatch(/\n\s+at /);
    for (const key of ['parameters', 'query', 'driverError', 'detail', 'where']) expect(first.err).not.toHaveProperty(key);
  });

  it('through pino-http (which pre-serializes with pino’s own serializer) the error is cleaned just the same', async () => {
    const err = await failure(cases[0][1], cases[0][2]());
    const out = capture();
    const opts = loggerOptions('test', 'info');
    const wrapped = pino.stdSerializers.wrapErrorSerializer(serializeError as never);
    pino({ ...opts, serializers: { ...opts.serializers, err: wrapped } }, out.stream).error({ err }, 'request failed');
    for (const p of PERSONAL) expect(out.text()).not.toContain(p);
    expect(JSON.parse(out.text()).err).toMatchObject({ type: 'QueryFailedError', code: '23505', constraint: 'feedback_pkey' });
  });
});
