/**
 * The team the inbox shows: the one last chosen in this tab ('' = all teams), else the signed-in agent's own team —
 * agents work their team's tickets first and pick another (or all) in the Team filter.
 */
export function initialTeam(chosen: string | null, myTeam: string | null, teams: readonly { id: string }[]): string {
  if (chosen !== null && (chosen === '' || teams.some((t) => t.id === chosen))) return chosen;
  return myTeam && teams.some((t) => t.id === myTeam) ? myTeam : '';
}
