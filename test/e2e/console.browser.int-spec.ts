/**
 * The console in a real browser (Debian's Chromium driven by playwright-core) against a real stack in this
 * process: ingest → scoring → tickets and the console, on real Kafka and a fresh Postgres database.
 * Sign-in, inbox filters and search, live updates, claim, resolve with a root cause, the ops dashboard's lag for
 * a real consumer group grouped with its total (equal to kafkajs admin's), a DLQ replay, and the reports in human
 * units (equal to tickets' reports API), and the console in the agent's language (SPEC §14: Hebrew right to left,
 * Turkish and Indonesian dates and durations, the switcher's choice remembered). Screenshots go to
 * test-artifacts/console/.
 */
import { mkdirSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Kafka, Partitioners } from 'kafkajs';
import { Browser, Page, chromium } from 'playwright-core';
import { Topic, dlqTopicOf, formatDuration, translator, type Locale, type MessageArgs, type MessageKey } from '@closeloop/contracts';
import { runMigrations } from '@closeloop/platform';
import { readTopic, testInfra, testKafka, uniqueName, waitFor, withAdmin } from '@closeloop/testing';
import { startIngest } from '../../services/ingest/src/app';
import { loadIngestConfig } from '../../services/ingest/src/config';
import { databaseOptions as ingestDb } from '../../services/ingest/src/database';
import { startScoring } from '../../services/scoring/src/app';
import { loadScoringConfig } from '../../services/scoring/src/config';
import { databaseOptions as scoringDb } from '../../services/scoring/src/database';
import { startTickets } from '../../services/tickets/src/app';
import { loadTicketsConfig } from '../../services/tickets/src/config';
import { databaseOptions as ticketsDb } from '../../services/tickets/src/database';
import { startConsole } from '../../services/console/src/app';
import { loadConsoleConfig } from '../../services/console/src/config';
import { databaseOptions as consoleDb } from '../../services/console/src/database';
import { CHROMIUM_ARGS, ensureChromium } from '../../services/console/test/ensure-chromium';
import { ensureConsoleWebBuilt } from '../../services/console/test/ensure-web';
import { formatCount, formatPercent } from '../../services/console/web/src/format';
import { createE2eDatabase } from './stack';

const SHOTS = path.resolve(__dirname, '../../test-artifacts/console');
const AYSE = 'tok-ayse-e2e-0123456789';
const MEHMET = 'tok-mehmet-e2e-0123456789';
/** config/closeloop.yaml (SPEC §12): ayse is an agent of team cx, mehmet its lead, emre ops, dewi admin */
const EMRE = 'tok-emre-e2e-0123456789';
const DEWI = 'tok-dewi-e2e-0123456789';
const INGEST_KEY = 'ik-e2e-0123456789';
const run = uniqueName('c').replace(/_/g, '-');
/** the signed-in agents of the first tests read the console in English (config/closeloop.yaml: no agents[].locale) */
const EN = translator('en');

let db: Awaited<ReturnType<typeof createE2eDatabase>>;
const apps: INestApplication[] = [];
let browser: Browser;
let page: Page;
let kafka: Kafka;
let prefix: string;
const urls: Record<string, string> = {};

const urlOf = (app: INestApplication) => `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

async function ticketsApi(method: string, p: string, token = AYSE, body?: unknown) {
  const res = await fetch(`${urls.tickets}${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function sendFeedback(externalId: string, touchpoint: string, score: number, comment: string, customer: { id: string; name: string; locale: string }) {
  const res = await fetch(`${urls.ingest}/v1/feedback`, {
    method: 'POST',
    headers: { authorization: `Bearer ${INGEST_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ source: 'e2e', externalId, touchpoint, channel: 'web', metric: 'nps', score, comment, customer, respondedAt: new Date().toISOString() }),
  });
  expect(res.status).toBe(202);
}

beforeAll(async () => {
  const executablePath = ensureChromium();
  const webDir = ensureConsoleWebBuilt();
  mkdirSync(SHOTS, { recursive: true });
  const { brokers, topicPrefix } = testInfra();
  prefix = `${topicPrefix}${uniqueName('console_e2e')}.`;
  db = await createE2eDatabase();
  const common = {
    KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC_PREFIX: prefix, DATABASE_URL: db.url, CLOSELOOP_MASTER_KEY: testInfra().masterKey, HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', API_TOKENS: `ayse:${AYSE},mehmet:${MEHMET},emre:${EMRE},dewi:${DEWI}`,
  };
  const ingestCfg = loadIngestConfig({ ...common, INGEST_PORT: '0', INGEST_API_KEYS: INGEST_KEY });
  const scoringCfg = loadScoringConfig({ ...common, SCORING_PORT: '0' });
  const ticketsCfg = loadTicketsConfig({ ...common, TICKETS_PORT: '0', SLA_CHECK_INTERVAL_MS: '60000' });
  await runMigrations(ingestDb(ingestCfg));
  await runMigrations(scoringDb(scoringCfg));
  await runMigrations(ticketsDb(ticketsCfg));
  const [ingest, scoring, tickets] = await Promise.all([startIngest(ingestCfg), startScoring(scoringCfg), startTickets(ticketsCfg)]);
  apps.push(ingest, scoring, tickets);
  Object.assign(urls, { ingest: urlOf(ingest), scoring: urlOf(scoring), tickets: urlOf(tickets) });

  const consoleCfg = loadConsoleConfig({
    ...common, CONSOLE_PORT: '0', TICKETS_URL: urls.tickets, CONSOLE_WEB_DIR: webDir, CONSOLE_OPS_SAMPLE_MS: '500',
    SERVICE_URLS: `ingest=${urls.ingest},scoring=${urls.scoring},tickets=${urls.tickets},notification=http://127.0.0.1:9`,
  });
  await runMigrations(consoleDb(consoleCfg));
  const consoleApp = await startConsole(consoleCfg);
  apps.push(consoleApp);
  urls.console = urlOf(consoleApp);

  kafka = testKafka();
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'en-US' });
}, 15 * 60_000);

afterAll(async () => {
  await browser?.close();
  for (const app of apps.reverse()) await app.close().catch(() => undefined);
  await db?.drop().catch(() => undefined);
});

describe('console in a browser', () => {
  const customerA = { id: `${run}-deniz`, name: 'Deniz Aydın', locale: 'tr', phone: '+905551239911' };
  const customerB = { id: `${run}-budi`, name: 'Budi Hartono', locale: 'id' };
  const commentA = 'Garsonlar çok kaba, avukatımla görüşeceğim';

  it('shows nothing about tickets before sign-in, refuses a bad token, then opens the inbox', async () => {
    await page.goto(urls.console);
    await page.getByTestId('signin-form').waitFor();
    expect(await page.getByTestId('inbox').count()).toBe(0);
    await shot('01-signin');

    await page.fill('input[name=token]', 'not-the-right-token');
    await page.click('button[type=submit]');
    await page.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();
    expect(await page.getByTestId('inbox').count()).toBe(0);

    await page.fill('input[name=token]', AYSE);
    await page.click('button[type=submit]');
    await page.getByTestId('inbox').waitFor();
    expect(await page.getByTestId('signed-in-as').textContent()).toBe('Ayşe Yılmaz (agent)');
    await page.getByTestId('live-state').filter({ hasText: 'live' }).waitFor();
    // an agent sees their own team first (Ayşe is in cx); the Team filter shows the others, and the tab remembers it
    expect(await page.locator('select[name=team]').inputValue()).toBe('cx');
    expect(await page.locator('select[name=team] option:checked').textContent()).toBe('cx (my team)');
    await page.selectOption('select[name=team]', '');
  });

  it('fills the open inbox live as feedback arrives, and filters it by severity and customer', async () => {
    // dine-in is team cx's: Ayşe's inbox (an agent reads their own team's tickets, SPEC §12)
    await sendFeedback(`${run}-a`, 'dine-in', 1, commentA, customerA);
    await sendFeedback(`${run}-b`, 'dine-in', 3, 'Makanan datang dingin', customerB);
    // no reload: the rows come from the live feed
    await waitFor(async () => (await page.getByTestId('ticket-row').count()) === 2, { what: 'two tickets in the inbox', timeoutMs: 30_000 });
    expect(await page.locator(`[data-testid=ticket-row] >> text=${customerA.name}`).count()).toBe(1);
    await shot('02-inbox');

    await page.selectOption('select[name=severity]', 'critical');
    await waitFor(async () => (await page.getByTestId('ticket-row').count()) === 1, { what: 'only the critical ticket' });
    expect(await page.getByTestId('ticket-row').first().textContent()).toContain(customerA.name);
    await shot('03-inbox-critical');

    await page.selectOption('select[name=severity]', '');
    await page.fill('input[name=customer]', customerB.id);
    await waitFor(async () => {
      const rows = page.getByTestId('ticket-row');
      return (await rows.count()) === 1 && ((await rows.first().textContent()) ?? '').includes(customerB.name);
    }, { what: 'only customer B' });
    await page.fill('input[name=customer]', '');
    await waitFor(async () => (await page.getByTestId('ticket-row').count()) === 2, { what: 'both again' });
  });

  it('claims and resolves a ticket with a root cause, showing the comment in its original language', async () => {
    await page.click(`[data-testid=ticket-row] >> text=${customerA.name}`);
    await page.getByTestId('ticket-page').waitFor();
    const quote = page.locator('[data-testid=feedback] blockquote');
    expect(await quote.textContent()).toBe(commentA);
    expect(await quote.getAttribute('lang')).toBe('tr');

    await page.getByTestId('claim').click();
    await page.locator('[data-testid=ticket-page][data-status=claimed]').waitFor();
    expect(await page.getByTestId('assignee').textContent()).toBe('Ayşe Yılmaz');

    // SPEC §11: the apology template, rendered by tickets in the customer's language (tr); a double click sends once
    await page.selectOption('[data-testid=message-form] select[name=template]', 'apology');
    await page.locator('[data-testid=message-form] button[type=submit]').dblclick();
    const texted = page.locator('[data-testid=timeline] li', { hasText: 'Ayşe Yılmaz texted the customer: Merhaba Deniz Aydın' });
    await texted.first().waitFor();
    await shot('04a-customer-texted');

    await page.selectOption('select[name=rootCause]', 'staff-behaviour');
    await page.fill('input[name=note]', 'Called the customer, apologised, refunded the meal');
    await page.check('input[name=customerContacted]');
    await page.check('input[name=recheck]');
    await page.click('[data-testid=resolve-form] button[type=submit]');
    await page.locator('[data-testid=ticket-page][data-status=resolved]').waitFor();
    expect(await page.getByTestId('root-cause').textContent()).toBe('staff-behaviour');
    await page.locator('[data-testid=timeline] >> text=resolved').first().waitFor();
    await shot('04-ticket-resolved');

    const id = new URL(page.url()).pathname.split('/').pop() ?? '';
    const { body } = await ticketsApi('GET', `/v1/tickets/${id}`);
    expect(body.ticket).toMatchObject({ status: 'resolved', rootCause: 'staff-behaviour', customerContacted: true, assignee: { id: 'ayse' } });
    expect(body.timeline.filter((e: { type: string }) => e.type === 'ticket.customer_message_requested')).toHaveLength(1);
    expect(body.timeline.filter((e: { type: string }) => e.type === 'recheck.scheduled')).toHaveLength(1);
  });

  it('updates an open ticket page live when someone else claims it', async () => {
    const { body } = await ticketsApi('GET', `/v1/tickets?customer=${encodeURIComponent(customerB.id)}`);
    const id = body.items[0].id;
    await page.goto(`${urls.console}/tickets/${id}`);
    await page.locator('[data-testid=ticket-page][data-status=open]').waitFor();
    expect((await ticketsApi('POST', `/v1/tickets/${id}/claim`, MEHMET)).status).toBe(200);
    await page.locator('[data-testid=ticket-page][data-status=claimed]').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('assignee').textContent()).toBe('Mehmet Demir');
  });

  it('shows an agent no ops pages; signed in as ops, the dashboard has the lag grouped by consumer group, with totals equal to what kafkajs admin computes', async () => {
    expect(await page.locator('nav a').allTextContents()).toEqual(['Inbox']);
    await page.goto(`${urls.console}/ops`);
    await page.getByTestId('not-for-role').filter({ hasText: 'ops or admin' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.fill('input[name=token]', EMRE);
    await page.click('button[type=submit]');
    await page.getByTestId('inbox').waitFor();
    expect(await page.locator('nav a').allTextContents()).toEqual(['Inbox', 'Ops', 'Sources']);
    await page.click('nav >> text=Ops');
    // what kafkajs admin says of the tickets group: per topic it committed on, end − committed (end − start where it never did)
    const expected = await withAdmin(kafka, async (admin) => {
      const perTopic: Record<string, { lag: number; partitions: Record<number, number> }> = {};
      for (const t of await admin.fetchOffsets({ groupId: `${prefix}tickets` })) {
        if (!t.partitions.some((p) => Number(p.offset) >= 0)) continue;
        const ends = await admin.fetchTopicOffsets(t.topic);
        const partitions: Record<number, number> = {};
        for (const p of ends) {
          const c = Number(t.partitions.find((x) => x.partition === p.partition)?.offset ?? -1);
          partitions[p.partition] = c >= 0 ? Number(p.high) - c : Number(p.high) - Number(p.low);
        }
        perTopic[t.topic.slice(prefix.length)] = { lag: Object.values(partitions).reduce((a, b) => a + b, 0), partitions };
      }
      return perTopic;
    }, { what: 'offsets and commits' });
    expect(Object.keys(expected)).toContain(Topic.FeedbackScored);
    const total = Object.values(expected).reduce((s, t) => s + t.lag, 0);

    const group = page.locator('[data-testid=lag] [data-testid=lag-group][data-group="tickets"]');
    await group.waitFor({ timeout: 20_000 });
    // the page polls every 2 s: wait for the poll after the admin read (nothing is produced meanwhile)
    await waitFor(async () => Number(await group.getAttribute('data-lag')) === total, { what: `tickets group total lag ${total}`, timeoutMs: 10_000 });
    expect(await group.getByTestId('lag-total').textContent()).toBe(`${total} behind`);
    for (const [topic, t] of Object.entries(expected)) {
      expect(Number(await group.locator(`tr[data-total-topic="${topic}"]`).getAttribute('data-lag'))).toBe(t.lag);
    }
    // per partition, behind a disclosure
    const details = group.locator('details');
    expect(await details.getAttribute('open')).toBeNull();
    await details.locator('summary').click();
    for (const [p, lag] of Object.entries(expected[Topic.FeedbackScored].partitions)) {
      const cell = group.locator(`tr[data-topic="${Topic.FeedbackScored}"][data-partition="${p}"]`);
      expect(await cell.isVisible()).toBe(true);
      expect(Number(await cell.getAttribute('data-lag'))).toBe(lag);
    }
    // the lag-over-time line, named for screen readers
    await waitFor(async () => (await group.locator('svg.spark polyline').count()) === 1, { what: 'a lag sparkline with two samples or more', timeoutMs: 10_000 });
    expect(await group.locator('svg.spark').getAttribute('aria-label')).toMatch(/^lag of tickets over the last \d+ samples, now \d+$/);
    await page.locator('[data-testid=health] [data-service=tickets].health-up').waitFor();
    await shot('05-ops');
  });

  it('replays a dead letter from the dashboard, once', async () => {
    // a message tickets cannot read: it dead-letters it with the reason
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: `${prefix}${Topic.FeedbackScored}`, acks: -1, messages: [{ key: `${run}-poison`, value: 'this is not an event {' }] });
    await producer.disconnect();

    const dlq = dlqTopicOf(Topic.FeedbackScored);
    const letter = page.locator(`[data-testid=dlq][data-topic="${dlq}"] [data-testid=dead-letter]`).first();
    await letter.waitFor({ timeout: 30_000 });
    expect(await letter.locator('.reason').textContent()).toMatch(/invalid event/);
    const offset = (await letter.getAttribute('data-offset')) ?? '';
    await shot('06-dlq');

    await letter.getByTestId('replay').click();
    await page.getByTestId('replay-notice').filter({ hasText: 'Replayed' }).waitFor();
    await page.locator(`[data-testid=dlq][data-topic="${dlq}"] [data-testid=dead-letter][data-offset="${offset}"] [data-testid=replayed]`).waitFor();
    await shot('07-dlq-replayed');

    // a second click (from another tab, say) is a no-op that reports the first replay
    const again = await fetch(`${urls.console}/api/ops/dlq/replay`, {
      method: 'POST', headers: { authorization: `Bearer ${DEWI}`, 'content-type': 'application/json' },
      body: JSON.stringify({ topic: dlq, partition: 0, offset }),
    }).then((r) => r.json());
    expect(again).toMatchObject({ replayed: false, replay: { replayedBy: 'emre', dlqOffset: offset, originalTopic: Topic.FeedbackScored } });

    const back = (await readTopic(kafka, `${prefix}${Topic.FeedbackScored}`, { minCount: 3 })).filter((m) => m.headers['x-replayed-from']);
    expect(back).toEqual([expect.objectContaining({ key: `${run}-poison`, value: 'this is not an event {', headers: expect.objectContaining({ 'x-replayed-from': `${dlq}/0/${offset}` }) })]);
  });

  it('shows the reports in human units, each figure equal to tickets\' reports API for the same period', async () => {
    // reports are for leads and admins: the admin sees every team
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.fill('input[name=token]', DEWI);
    await page.click('button[type=submit]');
    await page.getByTestId('inbox').waitFor();
    await page.click('nav >> text=Reports');
    await page.getByTestId('headline').waitFor();
    // the page's default period: the last 30 UTC days, today included
    const day = (t: number) => new Date(t).toISOString().slice(0, 10);
    const q = `from=${day(Date.now() - 29 * 86_400_000)}T00:00:00.000Z&to=${day(Date.now() + 86_400_000)}T00:00:00.000Z`;
    const summary = (await ticketsApi('GET', `/v1/reports/summary?${q}`, DEWI)).body;
    const series = (await ticketsApi('GET', `/v1/reports/timeseries?${q}`, DEWI)).body;
    expect(series.totals).toEqual({ opened: 2, resolved: 1 });
    const text = async (testId: string) => ((await page.getByTestId(testId).textContent()) ?? '').trim();
    const figure = async (id: string) => ((await page.locator(`[data-testid=figure-${id}] [data-testid=value]`).textContent()) ?? '').trim();
    expect(await text('opened-total')).toBe(formatCount(EN, series.totals.opened));
    expect(await text('resolved-total')).toBe(formatCount(EN, series.totals.resolved));
    expect(await figure('opened')).toBe(String(summary.tickets.total));
    expect(await figure('claim')).toBe(formatDuration(summary.timeToClaim.medianMs, 'en'));
    expect(await figure('claim')).toMatch(/^\d+ (sec|min)$/);
    expect(await figure('resolve')).toBe(formatDuration(summary.timeToResolve.medianMs, 'en'));
    expect(await figure('breached')).toBe(formatPercent(EN, summary.sla.breachRate));
    expect(await figure('breached')).toMatch(/^\d+%$/);
    // the per-team table, row by row
    expect(summary.teams.length).toBeGreaterThan(0);
    for (const t of summary.teams) {
      const cell = async (col: string) => ((await page.locator(`[data-testid=teams] tr[data-team="${t.team}"] [data-col=${col}]`).textContent()) ?? '').trim();
      expect(await cell('opened')).toBe(String(t.tickets));
      expect(await cell('unresolved')).toBe(String(t.unresolved));
      expect(await cell('claim')).toBe(formatDuration(t.timeToClaim.medianMs, 'en'));
      expect(await cell('resolve')).toBe(formatDuration(t.timeToResolve.medianMs, 'en'));
    }
    // the numbers behind the chart, as text
    const today = series.days[series.days.length - 1];
    expect(today).toEqual({ day: day(Date.now()), opened: 2, resolved: 1 });
    const row = page.locator(`[data-testid=daily] tr[data-day="${today.day}"] td`);
    expect(await row.allTextContents()).toEqual([expect.any(String), '2', '1']);
    expect(await page.locator('svg[aria-label="tickets opened and resolved per day"]').count()).toBe(1);
    await shot('04b-reports');
  });

  it('speaks the agent\'s language: Hebrew right to left, Turkish and Indonesian dates and durations, the choice remembered', async () => {
    const { body } = await ticketsApi('GET', `/v1/tickets?customer=${encodeURIComponent(customerA.id)}`, DEWI);
    const ticketA = body.items[0];
    const opening = (await ticketsApi('GET', `/v1/tickets/${ticketA.id}`, DEWI)).body.timeline[0];
    expect(opening.type).toBe('ticket.opened');
    const day = (t: number) => new Date(t).toISOString().slice(0, 10);
    const q = `from=${day(Date.now() - 29 * 86_400_000)}T00:00:00.000Z&to=${day(Date.now() + 86_400_000)}T00:00:00.000Z`;
    const summary = (await ticketsApi('GET', `/v1/reports/summary?${q}`, DEWI)).body;
    const figure = async (id: string) => ((await page.locator(`[data-testid=figure-${id}] [data-testid=value]`).textContent()) ?? '').trim();
    /** what the browser's own Intl writes for this date in that language (the page's time zone is the browser's) */
    const intlDateTime = (at: string, locale: string) =>
      page.evaluate(([a, l]) => new Intl.DateTimeFormat(l, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(a)), [at, locale] as const);

    const showInbox = async () => {
      await page.click('nav a[href="/"]');
      await page.getByTestId('inbox').waitFor();
      await page.selectOption('select[name=status]', '');
      await waitFor(async () => (await page.getByTestId('ticket-row').count()) === 2, { what: 'both tickets, whatever their status' });
    };
    await showInbox();
    for (const locale of ['he', 'tr', 'id', 'zh'] as Locale[]) {
      const t = translator(locale);
      await page.selectOption('select[name=language]', locale);
      await page.locator(`html[lang=${locale}][dir=${t.dir}]`).waitFor();
      expect(await page.locator('nav a[href="/"]').textContent()).toBe(t.t('console.nav.inbox'));
      expect(await page.title()).toBe(t.t('console.title'));
      await waitFor(async () => (await page.getByTestId('ticket-row').count()) === 2, { what: `both tickets in ${locale}` });
      await shot(`i18n-${locale}-inbox`);

      await page.click(`[data-testid=ticket-row] >> text=${customerA.name}`);
      await page.getByTestId('ticket-page').waitFor();
      // the customer's comment as written, in its own direction, never translated
      const quote = page.locator('[data-testid=feedback] blockquote');
      expect({ text: await quote.textContent(), dir: await quote.getAttribute('dir') }).toEqual({ text: commentA, dir: 'auto' });
      // the timeline in the agent's language, from the catalog parts tickets keeps with each entry's English text
      const firstLine = (await page.getByTestId('timeline-text').first().textContent()) ?? '';
      expect(firstLine).toBe(opening.summaryParts.map((p: { key: MessageKey; args: MessageArgs }) => t.t(p.key, p.args)).join(''));
      expect(firstLine).not.toBe(opening.summary);
      if (locale === 'he') {
        // the layout's computed direction, not only the attribute: logical CSS mirrors it, and the back arrow points right
        const style = (selector: string, property: string) => page.locator(selector).first().evaluate((el: any, p) => el.ownerDocument.defaultView.getComputedStyle(el)[p], property);
        const layout = { main: await style('main', 'direction'), header: await style('header.top', 'direction'), arrow: await style('.icon-points', 'transform') };
        expect(layout).toEqual({ main: 'rtl', header: 'rtl', arrow: 'matrix(-1, 0, 0, 1, 0, 0)' });
      }
      if (locale === 'tr' || locale === 'id') {
        const opened = await page.getByTestId('opened-at').textContent();
        expect(opened).toBe(await intlDateTime(ticketA.openedAt, locale));
        expect(opened).not.toBe(await intlDateTime(ticketA.openedAt, 'en'));
      }
      await shot(`i18n-${locale}-ticket`);

      if (locale === 'tr' || locale === 'id') {
        await page.click('nav a[href="/reports"]');
        await page.getByTestId('headline').waitFor();
        expect(await figure('claim')).toBe(formatDuration(summary.timeToClaim.medianMs, locale));
        expect(await figure('claim')).not.toBe(formatDuration(summary.timeToClaim.medianMs, 'en'));
        expect(await figure('resolve')).toBe(formatDuration(summary.timeToResolve.medianMs, locale));
      }
      await showInbox();
    }

    // the switcher's choice is the agent's, kept by the console: a reload (or another browser) opens in it
    await page.reload();
    await page.getByTestId('inbox').waitFor();
    await page.locator('html[lang=zh][dir=ltr]').waitFor();
    expect(await page.locator('select[name=language]').inputValue()).toBe('zh');
    const me = (await fetch(`${urls.console}/api/me`, { headers: { authorization: `Bearer ${DEWI}` } }).then((r) => r.json())) as { locale: string };
    expect(me.locale).toBe('zh');
  });
});
