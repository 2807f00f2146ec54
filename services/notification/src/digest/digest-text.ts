import type { TeamDigestData } from '@closeloop/contracts';

const minutes = (ms: number | undefined) => (ms === undefined ? '—' : ms < 3_600_000 ? `${Math.round(ms / 60_000)} min` : `${(ms / 3_600_000).toFixed(1)} h`);

/** The lead's DM (SPEC §12): yesterday's numbers of their team, plain text. */
export function renderDigest(d: TeamDigestData, consoleUrl: string): string {
  return [
    `Daily digest · team ${d.team} · ${d.day}`,
    `Opened ${d.opened} · resolved ${d.resolved} · SLA breached ${d.breached}`,
    `Median time to claim ${minutes(d.medianClaimMs)} · to resolve ${minutes(d.medianResolveMs)}`,
    `NPS ${d.nps === undefined ? '— (no answers)' : `${d.nps} (${d.npsResponses} answers)`}`,
    `${consoleUrl}/reports`,
  ].join('\n');
}
