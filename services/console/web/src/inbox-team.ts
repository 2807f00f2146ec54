/**
 * The team the inbox shows: the one last chosen in this tab ('' = all teams), else the signed-in agent's own team —
 * agents work their team's tickets first and pick another (or all) in the Team filter.
 */
export function initialTeam(chosen: string | null, myTeam: string | null, teams: readonly { id: string }[]): string {
  if (chosen !== null && (chosen === '' || teams.some((t) => t.id === chosen))) return chosen;
  return myTeam && teams.some((t) => t.id === myTeam) ? myTeam : '';
}

/**
 * SPEC §12 / issue 12: a lead sees the team's unassigned work first, then each assignee's tickets together (by name);
 * within each, the order the API gave (newest first). Agents and the other roles see the API's order.
 */
export function inboxOrder<T extends { assignee: { name: string } | null }>(items: readonly T[], role: string): T[] {
  if (role !== 'lead') return [...items];
  const key = (t: T) => (t.assignee ? `1${t.assignee.name}` : '0');
  return items.map((t, i) => ({ t, i })).sort((x, y) => key(x.t).localeCompare(key(y.t)) || x.i - y.i).map((x) => x.t);
}
