/**
 * The longest pause in alerts (issue 14: "the longest pause in alerts" while a broker is down): the longest time
 * inside a window in which Slack was asked for no top-level alert, counting from the window's start to the first
 * alert and from the last alert to the window's end. Pure, over request times (ms).
 */
export interface Pause {
  from: number;
  to: number;
  ms: number;
}

export function longestPause(times: readonly number[], window: { from: number; to: number }): Pause | undefined {
  if (window.to <= window.from) return undefined;
  const inside = times.filter((t) => t >= window.from && t <= window.to).sort((a, b) => a - b);
  const edges = [window.from, ...inside, window.to];
  let best: Pause | undefined;
  for (let i = 1; i < edges.length; i++) {
    const ms = edges[i] - edges[i - 1];
    if (!best || ms > best.ms) best = { from: edges[i - 1], to: edges[i], ms };
  }
  return best;
}

/** Which fault was under way when a pause began: the last one injected at or before it (`at` is ms since the start). */
export function faultDuring<T extends { fault: string; at: number }>(faults: readonly T[], pauseFromSinceStart: number): T | undefined {
  return [...faults].filter((f) => f.at <= pauseFromSinceStart).sort((a, b) => b.at - a.at)[0];
}
