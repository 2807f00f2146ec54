import { Ticket } from './api';
import { currentSla } from './format';
import { useI18n } from './i18n';

export function SeverityBadge({ severity }: { severity: string }) {
  const i18n = useI18n();
  return <span className={`badge sev-${severity}`}>{i18n.t('console.severity', { severity })}</span>;
}

export function StatusBadge({ status }: { status: string }) {
  const i18n = useI18n();
  return <span className={`badge st-${status}`}>{i18n.t('console.status', { status })}</span>;
}

/** The SLA that matters now, counting down; a breach badge once it is missed. */
export function SlaCell({ ticket, now }: { ticket: Ticket; now: number }) {
  const i18n = useI18n();
  const sla = currentSla(ticket, now);
  const breaches = [ticket.firstResponseBreachedAt && 'firstResponse', ticket.resolveBreachedAt && 'resolve'].filter(Boolean) as string[];
  const at = sla && i18n.dateTime(sla.dueAt);
  const duration = sla && i18n.duration(sla.remainingMs);
  return (
    <span className="sla" data-testid="sla">
      {sla && !sla.breached && <span className={sla.remainingMs < 15 * 60_000 ? 'soon' : ''} title={i18n.t('console.sla.due', { sla: sla.kind, at })}>{i18n.t('console.sla.in', { sla: sla.kind, duration })}</span>}
      {sla && sla.breached && <span className="badge breach" data-testid="breach-badge" title={i18n.t('console.sla.wasDue', { sla: sla.kind, at })}>{i18n.t('console.sla.overdue', { sla: sla.kind, duration })}</span>}
      {!sla && breaches.map((b) => <span key={b} className="badge breach" data-testid="breach-badge">{i18n.t('console.sla.missed', { sla: b })}</span>)}
      {!sla && !breaches.length && <span className="muted">{i18n.t('console.none')}</span>}
    </span>
  );
}

export function ErrorNote({ error }: { error: string | null }) {
  return error ? <p className="error" role="alert">{error}</p> : null;
}
