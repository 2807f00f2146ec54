import { FormEvent, useCallback, useEffect, useState } from 'react';
import { ConsoleConfig, FeedbackItem, Me, Ticket, TimelineEntry, api } from '../api';
import { useLive } from '../live';
import { link } from '../router';
import { useDebounced, useNow } from '../hooks';
import { ErrorNote, SeverityBadge, SlaCell, StatusBadge } from '../components';
import { dirFor, when } from '../format';

interface Detail {
  ticket: Ticket;
  feedback: FeedbackItem[];
  timeline: TimelineEntry[];
}

/** One ticket: its feedback (comments in their original language), timeline, notes and the agent's actions. */
export function TicketPage({ id, config, me }: { id: string; config: ConsoleConfig; me: Me }) {
  const [detail, setDetail] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const now = useNow();

  const load = useCallback(async () => {
    try {
      setDetail(await api<Detail>(`/api/tickets/${encodeURIComponent(id)}`));
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [id]);
  useEffect(() => void load(), [load]);

  const reload = useDebounced(() => void load(), 200);
  useLive(useCallback((m) => void ((m.event === 'ticket' || m.event === 'delivery') && m.data?.ticketId === id && reload()), [id, reload]));

  /** Runs an action; on success shows the ticket it returned (or re-reads it), on failure the API's reason. */
  const act = async (path: string, body: unknown, headers?: Record<string, string>) => {
    setBusy(true);
    try {
      await api(`/api/tickets/${encodeURIComponent(id)}/${path}`, { method: 'POST', body, ...(headers ? { headers } : {}) });
      setError(null);
      await load();
      return true;
    } catch (err) {
      setError((err as Error).message);
      return false;
    } finally {
      setBusy(false);
    }
  };

  if (!detail) return <section><a href="/" onClick={link('/')}>← Inbox</a><ErrorNote error={error} />{!error && <p className="muted">Loading…</p>}</section>;
  const t = detail.ticket;

  return (
    <section className="ticket" data-testid="ticket-page" data-status={t.status}>
      <a href="/" onClick={link('/')}>← Inbox</a>
      <h1>
        {t.customer.name ?? t.customer.id} · {t.touchpoint} <SeverityBadge severity={t.severity} /> <StatusBadge status={t.status} />
      </h1>
      <dl className="facts">
        <div><dt>Customer</dt><dd>{t.customer.id}{t.customer.locale && <span className="muted"> · {t.customer.locale}</span>}</dd></div>
        <div><dt>Team</dt><dd>{t.team}</dd></div>
        <div><dt>Score</dt><dd>{t.metric.toUpperCase()} {t.score}</dd></div>
        <div><dt>Assignee</dt><dd data-testid="assignee">{t.assignee?.name ?? 'unassigned'}</dd></div>
        <div><dt>SLA</dt><dd><SlaCell ticket={t} now={now} /></dd></div>
        <div><dt>Opened</dt><dd>{when(t.openedAt)}</dd></div>
        {t.claimedAt && <div><dt>Claimed</dt><dd>{when(t.claimedAt)}</dd></div>}
        {t.resolvedAt && <div><dt>Resolved</dt><dd>{when(t.resolvedAt)}</dd></div>}
        {t.rootCause && <div><dt>Root cause</dt><dd data-testid="root-cause">{t.rootCause}</dd></div>}
        {t.resolutionNote && <div><dt>Resolution</dt><dd dir="auto">{t.resolutionNote}</dd></div>}
        {t.customerContacted !== null && t.status === 'resolved' && <div><dt>Customer contacted</dt><dd>{t.customerContacted ? 'yes' : 'no'}</dd></div>}
        {t.reopenCount > 0 && <div><dt>Reopened</dt><dd>{t.reopenCount}×</dd></div>}
      </dl>
      <ErrorNote error={error} />
      <Actions ticket={t} config={config} me={me} busy={busy} act={act} />

      <div className="columns">
        <div>
          <h2>Feedback ({detail.feedback.length})</h2>
          {detail.feedback.map((f) => {
            const locale = f.customer?.locale ?? t.customer.locale ?? undefined;
            return (
              <article key={f.feedbackId} className="feedback" data-testid="feedback">
                <header>
                  <strong>{f.metric.toUpperCase()} {f.score}</strong> {f.classification && <span className="muted">{f.classification}</span>} {f.severity && <SeverityBadge severity={f.severity} />}
                  <span className="muted small"> · {f.source} · {f.channel ?? '—'} · {when(f.respondedAt)}{(f.revision ?? 1) > 1 ? ` · revised by the customer (revision ${f.revision})` : ''}</span>
                </header>
                {f.comment ? <blockquote lang={locale} dir={dirFor(locale)}>{f.comment}</blockquote> : <p className="muted">No comment.</p>}
                {!!f.matchedKeywords?.length && <p className="small">Keywords: {f.matchedKeywords.join(', ')}</p>}
              </article>
            );
          })}
        </div>
        <div>
          <h2>Timeline</h2>
          <MessageForm config={config} busy={busy} send={(body, key) => act('messages', body, { 'idempotency-key': key })} />
          <NoteForm busy={busy} onAdd={(body) => act('notes', { body })} />
          <ol className="timeline" data-testid="timeline">
            {detail.timeline.map((e) => (
              <li key={e.id} className={`tl-${e.kind}`}>
                <span className="small muted">{when(e.at)}</span>
                <span className={`badge kind-${e.kind}`}>{e.kind === 'event' ? e.type.replace(/^ticket\./, '') : e.kind}</span>
                {e.actor && <span className="small">{e.actor.name ?? e.actor.id ?? e.actor.kind}</span>}
                <div dir="auto">{e.summary}</div>
              </li>
            ))}
          </ol>
        </div>
      </div>
    </section>
  );
}

function Actions({ ticket: t, config, me, busy, act }: { ticket: Ticket; config: ConsoleConfig; me: Me; busy: boolean; act: (p: string, b: unknown) => Promise<boolean> }) {
  const [rootCause, setRootCause] = useState('');
  const [note, setNote] = useState('');
  const [contacted, setContacted] = useState(false);
  const [recheck, setRecheck] = useState(false);
  const [reason, setReason] = useState('');

  const resolve = async (e: FormEvent) => {
    e.preventDefault();
    if (await act('resolve', { rootCause, note: note || undefined, customerContacted: contacted, ...(recheck ? { recheck: true } : {}) })) setNote('');
  };
  const reopen = async (e: FormEvent) => {
    e.preventDefault();
    if (await act('reopen', { reason })) setReason('');
  };

  return (
    <div className="actions">
      {t.status === 'open' && <button data-testid="claim" disabled={busy} onClick={() => void act('claim', {})}>Claim</button>}
      {t.status === 'claimed' && t.assignee?.id !== me.agent.id && <span className="muted">Claimed by {t.assignee?.name}.</span>}
      {t.status !== 'resolved' && (
        <form className="resolve" onSubmit={resolve} data-testid="resolve-form">
          <label>Root cause
            <select name="rootCause" value={rootCause} onChange={(e) => setRootCause(e.target.value)} required>
              <option value="" disabled>choose…</option>
              {config.rootCauses.map((r) => <option key={r}>{r}</option>)}
            </select>
          </label>
          <label className="grow">Resolution note<input name="note" value={note} onChange={(e) => setNote(e.target.value)} /></label>
          <label className="check"><input type="checkbox" name="customerContacted" checked={contacted} onChange={(e) => setContacted(e.target.checked)} /> customer contacted</label>
          {config.recheck && <label className="check"><input type="checkbox" name="recheck" checked={recheck} onChange={(e) => setRecheck(e.target.checked)} /> ask the customer again later (recheck)</label>}
          <button type="submit" disabled={busy || !rootCause}>Resolve</button>
        </form>
      )}
      {t.status === 'resolved' && (
        <form className="resolve" onSubmit={reopen} data-testid="reopen-form">
          <label className="grow">Reason to reopen<input name="reason" value={reason} onChange={(e) => setReason(e.target.value)} required /></label>
          <button type="submit" disabled={busy || !reason.trim()}>Reopen</button>
        </form>
      )}
    </div>
  );
}

function NoteForm({ busy, onAdd }: { busy: boolean; onAdd: (body: string) => Promise<boolean> }) {
  const [body, setBody] = useState('');
  return (
    <form
      className="note"
      data-testid="note-form"
      onSubmit={async (e) => {
        e.preventDefault();
        if (await onAdd(body)) setBody('');
      }}
    >
      <textarea name="note" rows={2} placeholder="Add a note for the team" value={body} onChange={(e) => setBody(e.target.value)} />
      <button type="submit" disabled={busy || !body.trim()}>Add note</button>
    </form>
  );
}

/**
 * A message to the customer (SPEC §11): a template (rendered by tickets in the customer's language) or a text of the
 * agent's own, by SMS or email. Each attempt carries an Idempotency-Key, so a double click or a retry sends once.
 */
function MessageForm({ config, busy, send }: { config: ConsoleConfig; busy: boolean; send: (body: unknown, key: string) => Promise<boolean> }) {
  const [channel, setChannel] = useState<'sms' | 'email'>('sms');
  const [template, setTemplate] = useState('');
  const [text, setText] = useState('');
  const [subject, setSubject] = useState('');
  const [key, setKey] = useState(() => crypto.randomUUID());
  const templates = config.templates.filter((t) => t.channels.includes(channel));
  const ready = template !== '' || text.trim() !== '';
  return (
    <form
      className="message"
      data-testid="message-form"
      onSubmit={async (e) => {
        e.preventDefault();
        const body = template
          ? { channel, template }
          : { channel, body: text.trim(), ...(channel === 'email' && subject.trim() ? { subject: subject.trim() } : {}) };
        if (await send(body, key)) {
          setTemplate('');
          setText('');
          setSubject('');
          setKey(crypto.randomUUID());
        }
      }}
    >
      <label>Message the customer by
        <select name="channel" value={channel} onChange={(e) => { setChannel(e.target.value as 'sms' | 'email'); setTemplate(''); }}>
          <option value="sms">SMS</option>
          <option value="email">email</option>
        </select>
      </label>
      <label>Template
        <select name="template" value={template} onChange={(e) => setTemplate(e.target.value)}>
          <option value="">— my own text —</option>
          {templates.map((t) => <option key={t.name} value={t.name}>{t.name}</option>)}
        </select>
      </label>
      {!template && channel === 'email' && <input name="subject" placeholder="Subject (optional)" value={subject} onChange={(e) => setSubject(e.target.value)} />}
      {!template && <textarea name="text" rows={2} dir="auto" placeholder="Your message" value={text} onChange={(e) => setText(e.target.value)} />}
      <button type="submit" disabled={busy || !ready}>Send</button>
    </form>
  );
}
