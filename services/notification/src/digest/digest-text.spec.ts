import { translator } from '@closeloop/contracts';
import { renderDigest } from './digest-text';

const data = {
  team: 'cx', day: '2026-11-30', from: '2026-11-29T21:00:00.000Z', to: '2026-11-30T21:00:00.000Z', leads: [],
  opened: 4, resolved: 2, breached: 1, medianClaimMs: 12 * 60_000, medianResolveMs: 3 * 3_600_000, nps: 20, npsResponses: 1,
};

describe('renderDigest in the team\'s language (SPEC §14)', () => {
  it.each([
    ['en', 'Asia/Jakarta', ['Daily digest · team cx · Nov 30, 2026', 'Opened 4 · resolved 2 · SLA breached 1', 'Median time to claim 12 min · to resolve 3 hr', 'NPS 20 (1 answer)']],
    ['tr', 'Europe/Istanbul', ['Günlük özet · ekip cx · 30 Kas 2026', 'Açılan 4 · çözülen 2 · SLA aşılan 1', 'Medyan üstlenme süresi 12 dk. · çözme süresi 3 sa.', 'NPS 20 (1 yanıt)']],
    ['he', 'Asia/Jerusalem', ['סיכום יומי · צוות \u2068cx\u2069 · \u206830 בנוב׳ 2026\u2069', 'נפתחו 4 · נסגרו 2 · חריגות SLA 1', undefined, 'NPS 20 (תשובה אחת)']],
  ] as const)('%s: every line, the day as the team writes it (not shifted by the time zone)', (locale, timeZone, lines) => {
    const text = renderDigest(data, 'http://c.test', translator(locale, { timeZone })).replace(/\u00a0/g, ' ').split('\n');
    lines.forEach((line, i) => line !== undefined && expect(text[i]).toBe(line));
    expect(text[4]).toBe('http://c.test/reports');
  });

  it('says so when nobody answered', () => {
    expect(renderDigest({ ...data, nps: undefined, npsResponses: 0 }, 'http://c.test', translator('id')).split('\n')[3]).toBe('NPS — (tanpa jawaban)');
  });
});
