// docs/sources.md, run as a reader would: each tool's routing-file entry as the doc shows it, its secret as the doc's
// shell snippet sets it, and the snippet itself (openssl, base64, xxd and curl in bash) sent to a real ingest on real
// Kafka. Each answers 202 with its feedback; sent again, duplicate: true. Qualtrics' and SurveyMonkey's API is a local
// stub that knows the doc's sample response ids.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { INestApplication } from '@nestjs/common';
import { SurveyApiStub, startQualtricsStub, startSurveyMonkeyStub, testKafkaSettings, uniqueName } from '@closeloop/testing';
import { startIngest } from '../src/app';
import { loadIngestConfig } from '../src/config';
import { ingestSchema } from './database';
import { qualtricsResponse } from '../src/sources/fixtures/qualtrics';
import { surveyMonkeyDetails } from '../src/sources/fixtures/surveymonkey';

const doc = readFileSync(join(__dirname, '../../../docs/sources.md'), 'utf8');
const sections = doc.split(/^## /m).slice(1).map((s) => ({ title: s.split('\n')[0].trim(), text: s }));
const blocks = (text: string, lang: string) => [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);

/** The routing-file entries the doc shows: the example at the top (Typeform) and one per tool section. */
function sourceEntries(): string {
  const top = blocks(doc.split(/^## /m)[0], 'yaml')[0].split('\n').filter((l) => !l.startsWith('#') && l.trim() !== 'sources:').join('\n');
  return [top, ...sections.flatMap((s) => blocks(s.text, 'yaml'))].join('\n');
}

/** A section's shell snippet (its `NAME=value` lines at the start of a line set the secrets). */
const snippetOf = (title: string) => {
  const sh = sections.find((s) => s.title.startsWith(title));
  const [snippet] = blocks(sh?.text ?? '', 'sh');
  if (!snippet) throw new Error(`no sh block under ## ${title}`);
  return snippet;
};
/** Asynchronously: the ingest under test answers from this process's event loop. */
const bash = async (script: string, env: Record<string, string> = {}) =>
  (await promisify(execFile)('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH, ...env } })).stdout;

const TOOLS: [title: string, sourceId: string, secretVars: string[]][] = [
  ['Typeform', 'tf-checkout', ['TF_CHECKOUT_SECRET']],
  ['Delighted', 'delighted', ['DELIGHTED_SECRET']],
  ['Formbricks', 'formbricks', ['FORMBRICKS_SECRET']],
  ['QuestionPro', 'questionpro', ['QUESTIONPRO_TOKEN']],
  ['Qualtrics', 'qualtrics', ['QUALTRICS_SHARED_KEY']],
  ['SurveyMonkey', 'surveymonkey', ['SURVEYMONKEY_API_SECRET']],
  ['Anything else', 'kiosk', ['KIOSK_TOKEN']],
];

describe('docs/sources.md: every curl, as written, against a real ingest', () => {
  let app: INestApplication;
  let ingestUrl: string;
  let dir: string;
  let qualtricsApi: SurveyApiStub;
  let surveyMonkeyApi: SurveyApiStub;
  const QL_TOKEN = uniqueName('ql-token');
  const SM_TOKEN = uniqueName('sm-token');

  const database = ingestSchema('docs_curls');

  beforeAll(async () => {
    await database.migrate();
    [qualtricsApi, surveyMonkeyApi] = await Promise.all([startQualtricsStub({ token: QL_TOKEN }), startSurveyMonkeyStub({ token: SM_TOKEN })]);
    // the doc's sample notifications name these responses
    qualtricsApi.respond('SV_ebdf20QralHTzQF', 'R_1Qb1cDW6yQ7tGhN', qualtricsResponse);
    surveyMonkeyApi.respond('123456789', '987654321', surveyMonkeyDetails);
    // the secrets exactly as each snippet sets them (Formbricks' is computed by the shell)
    const secrets = Object.fromEntries(await Promise.all(TOOLS.flatMap(([title, , vars]) => {
      const assignments = snippetOf(title).split('\n').filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l)).join('\n');
      return vars.map(async (v) => [v, await bash(`${assignments}\nprintf %s "$${v}"`)]);
    })));
    const entries = sourceEntries()
      .replace('https://fra1.qualtrics.com', qualtricsApi.url)
      .replace('https://api.surveymonkey.com', surveyMonkeyApi.url);
    dir = mkdtempSync(join(tmpdir(), 'closeloop-docs-curls-'));
    const routing = join(dir, 'closeloop.yaml');
    writeFileSync(routing, `${readFileSync(join(__dirname, '../../../config/closeloop.yaml'), 'utf8')}\nsources:\n${entries}\n`);
    const settings = testKafkaSettings('docs-curls');
    app = await startIngest(loadIngestConfig({
      KAFKA_BROKERS: settings.brokers.join(','), KAFKA_TOPIC_PREFIX: settings.topicPrefix, ...database.env, INGEST_API_KEYS: uniqueName('ingest-key'),
      INGEST_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', CLOSELOOP_CONFIG: routing,
      ...secrets, QUALTRICS_TOKEN: QL_TOKEN, SURVEYMONKEY_TOKEN: SM_TOKEN,
    }));
    ingestUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all([qualtricsApi?.close(), surveyMonkeyApi?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
    await database.drop();
  });

  it('declares one source per tool, each at the URL its section names', () => {
    for (const [title, id] of TOOLS) expect({ title, url: sections.find((s) => s.title.startsWith(title))?.text.includes(`/v1/sources/${id}`) }).toEqual({ title, url: true });
  });

  it.each(TOOLS)('%s: the curl is accepted (202), and sent again it is a duplicate', async (title) => {
    const run = async () => JSON.parse(await bash(snippetOf(title), { INGEST: ingestUrl }));
    expect(await run()).toMatchObject({ feedbackId: expect.any(String), duplicate: false });
    expect(await run()).toMatchObject({ duplicate: true });
  });
});
