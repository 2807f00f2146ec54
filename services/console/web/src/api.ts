/** The console's API client: the token lives in sessionStorage (gone when the tab closes), sent as a bearer token. */
const TOKEN_KEY = 'closeloop.token';

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}
export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(public readonly status: number, public readonly problem: { title?: string; detail?: string; errors?: { field: string; message: string }[] } | null) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
  }
}

/** Called when a request comes back 401: the page returns to sign-in. */
let onUnauthorized: () => void = () => undefined;
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {}): Promise<T> {
  const token = init.token ?? getToken();
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    headers: {
      accept: 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { detail: text };
  }
  if (!res.ok) {
    if (res.status === 401 && !init.token) onUnauthorized();
    throw new ApiError(res.status, body as ApiError['problem']);
  }
  return body as T;
}

export interface LiveMessage {
  event: string;
  data: any;
}

/**
 * Follows /api/live (Server-Sent Events) with fetch, so the token goes in a header; reconnects after a drop.
 * Returns a function that stops it.
 */
export function followLive(onMessage: (m: LiveMessage) => void, onState?: (connected: boolean) => void): () => void {
  let stopped = false;
  let ctrl: AbortController | null = null;
  const run = async () => {
    while (!stopped) {
      ctrl = new AbortController();
      try {
        const res = await fetch('/api/live', { headers: { authorization: `Bearer ${getToken() ?? ''}` }, signal: ctrl.signal });
        if (res.status === 401) {
          onUnauthorized();
          return;
        }
        if (!res.ok || !res.body) throw new Error(`live feed: HTTP ${res.status}`);
        onState?.(true);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            let event = 'message';
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('event: ')) event = line.slice(7);
              else if (line.startsWith('data: ')) data.push(line.slice(6));
            }
            if (data.length) {
              try {
                onMessage({ event, data: JSON.parse(data.join('\n')) });
              } catch {
                // a malformed line is skipped, the stream goes on
              }
            }
          }
        }
      } catch {
        // dropped or aborted
      }
      onState?.(false);
      if (!stopped) await new Promise((r) => setTimeout(r, 2_000));
    }
  };
  void run();
  return () => {
    stopped = true;
    ctrl?.abort();
  };
}

/* ---- shapes of the tickets API (see services/tickets README) ---- */
export interface Ticket {
  id: string;
  status: 'open' | 'claimed' | 'resolved';
  severity: 'critical' | 'high' | 'normal';
  team: string;
  touchpoint: string;
  customer: { id: string; name?: string | null; locale?: string | null };
  /** SPEC §13: the customer's personal data was erased (their texts read ‹erased›) */
  customerErased?: boolean;
  assignee: { id: string; name: string } | null;
  metric: string;
  score: number;
  comment: string | null;
  feedbackCount: number;
  openedAt: string;
  claimedAt: string | null;
  resolvedAt: string | null;
  firstResponseDue: string | null;
  resolveDue: string | null;
  firstResponseBreachedAt: string | null;
  resolveBreachedAt: string | null;
  rootCause: string | null;
  resolutionNote: string | null;
  customerContacted: boolean | null;
  reopenCount: number;
  version: number;
  updatedAt: string;
}
export interface FeedbackItem {
  feedbackId: string;
  source: string;
  externalId: string;
  touchpoint: string;
  channel: string | null;
  metric: string;
  score: number;
  comment: string | null;
  /** SPEC §10: the latest revision of this feedback (absent from older tickets APIs: 1) */
  revision?: number;
  classification: string | null;
  severity: string | null;
  reasons: unknown;
  matchedKeywords: string[] | null;
  respondedAt: string;
  receivedAt: string | null;
  attributes: Record<string, unknown> | null;
  customer: { id: string; name?: string | null; locale?: string | null } | null;
}
export interface TimelineEntry {
  id: string;
  at: string;
  kind: 'event' | 'note' | 'delivery';
  type: string;
  actor: { kind: string; id?: string; name?: string } | null;
  summary: string;
  /** the catalog parts of `summary` (SPEC §14); absent or empty for entries written before */
  summaryParts?: { key: string; args: Record<string, string | number> }[];
  data: unknown;
}
export interface ConsoleConfig {
  teams: { id: string }[];
  touchpoints: { id: string; team: string }[];
  agents: { id: string; name: string; team: string; role: 'agent' | 'lead' | 'ops' | 'admin' }[];
  rootCauses: string[];
  templates: { name: string; channels: ('sms' | 'email')[] }[];
  recheck: boolean;
  statuses: string[];
  severities: string[];
}
/** What a role may do (SPEC §12); the console shows the pages these open. */
export type Permission = 'session' | 'tickets.read' | 'tickets.act' | 'tickets.assign' | 'tickets.export' | 'reports.read' | 'ops.read' | 'ops.replay' | 'personal-data.read' | 'customers.erase';

export interface Me {
  permissions: Permission[];
  /** the console's language for this agent (SPEC §14): their choice in the switcher, else the routing file's */
  locale: string;
  agent: { id: string; name: string; team: string | null; role: 'agent' | 'lead' | 'ops' | 'admin' };
}
