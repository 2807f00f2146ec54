import { Ticket } from './api';
import { currentSla, duration } from './format';

export function SeverityBadge({ severity }: { severity: string }) {
  return <span className={`badge sev-${severity}`}>{severity}</span>;
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge st-${status}`}>{status}</span>;
}

/** The SLA that matters now, counting down; a breach badge once it is missed. */
export function SlaCell({ ticket, now }: { ticket: Ticket; now: number }) {
  const sla = currentSla(ticket, now);
  const breaches = [ticket.firstResponseBreachedAt && 'first response', ticket.resolveBreachedAt && 'resolve'].filter(Boolean) as string[];
  return (
    <span className="sla" data-testid="sla">
      {sla && !sla.breached && <span className={sla.remainingMs < 15 * 60_000 ? 'soon' : ''} title={`${sla.label} due ${new Date(sla.dueAt).toLocaleString()}`}>{sla.label} in {duration(sla.remainingMs)}</span>}
      {sla && sla.breached && <span className="badge breach" data-testid="breach-badge" title={`${sla.label} was due ${new Date(sla.dueAt).toLocaleString()}`}>{sla.label} overdue {duration(sla.remainingMs)}</span>}
      {!sla && breaches.map((b) => <span key={b} className="badge breach" data-testid="breach-badge">{b} SLA missed</span>)}
      {!sla && !breaches.length && <span className="muted">—</span>}
    </span>
  );
}

export function ErrorNote({ error }: { error: string | null }) {
  return error ? <p className="error" role="alert">{error}</p> : null;
}
