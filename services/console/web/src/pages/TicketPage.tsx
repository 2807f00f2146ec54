import { FormEvent, useCallback, useEffect, useState } from 'react';
import { ConsoleConfig, FeedbackItem, Me, Ticket, TimelineEntry, api } from '../api';
import { useLive } from '../live';
import { link } from '../router';
import { useDebounced, useNow } from '../hooks';
import { ErrorNote, SeverityBadge, SlaCell, StatusBadge } from '../components';
import { customerLabel, shownText } from '../format';
import { errorText, timelineText, useI18n, when } from '../i18n';

interface Detail {
  ticket: Ticket;
  feedback: FeedbackItem[];
  timeline: TimelineEntry[];
}

/** One ticket: its feedback (comments in their original language), timeline, notes and the agent's actions. */
export function TicketPage({ id, config, me }: { id: string; config: ConsoleConfig; me: Me }) {
  const i18n = useI18n();
  const [detail, setDetail] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const now = useNow();

  const load = useCallback(async () => {
    try {
      setDetail(await api<Detail>(`/api/tickets/${encodeURIComponent(id)}`));
      setError(null);
    } catch (err) {
      setError(errorText(i18n, err));
    }
  }, [id, i18n]);
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
      setError(errorText(i18n, err));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const back = <a href="/" onClick={link('/')}><span className="icon-points" aria-hidden="true">←</span> {i18n.t('console.ticket.back')}</a>;
  if (!detail) return <section>{back}<ErrorNote error={error} />{!error && <p className="muted">{i18n.t('console.loading')}</p>}</section>;
  const t = detail.ticket;

  return (
    <section className="ticket" data-testid="ticket-page" data-status={t.status}>
      {back}
      <h1>
        {customerLabel(i18n, t)} · {t.touchpoint} <SeverityBadge severity={t.severity} /> <StatusBadge status={t.status} />
      </h1>
      <dl className="facts">
        <div><dt>{i18n.t('console.ticket.customer')}</dt><dd>{t.customer.id}{t.customer.locale && <span className="muted"> · {t.customer.locale}</span>}</dd></div>
        <div><dt>{i18n.t('console.ticket.team')}</dt><dd>{t.team}</dd></div>
        <div><dt>{i18n.t('console.ticket.score')}</dt><dd>{t.metric.toUpperCase()} {t.score}</dd></div>
        <div><dt>{i18n.t('console.ticket.assignee')}</dt><dd data-testid="assignee">{t.assignee?.name ?? i18n.t('console.ticket.unassigned')}</dd></div>
        <div><dt>{i18n.t('console.ticket.sla')}</dt><dd><SlaCell ticket={t} now={now} /></dd></div>
        <div><dt>{i18n.t('console.ticket.opened')}</dt><dd data-testid="opened-at" data-at={t.openedAt}>{when(i18n, t.openedAt)}</dd></div>
        {t.claimedAt && <div><dt>{i18n.t('console.ticket.claimed')}</dt><dd>{when(i18n, t.claimedAt)}</dd></div>}
        {t.resolvedAt && <div><dt>{i18n.t('console.ticket.resolved')}</dt><dd>{when(i18n, t.resolvedAt)}</dd></div>}
        {t.rootCause && <div><dt>{i18n.t('console.ticket.rootCause')}</dt><dd data-testid="root-cause">{t.rootCause}</dd></div>}
        {t.resolutionNote && <div><dt>{i18n.t('console.ticket.resolution')}</dt><dd dir="auto">{shownText(i18n, t.resolutionNote)}</dd></div>}
        {t.customerContacted !== null && t.status === 'resolved' && <div><dt>{i18n.t('console.ticket.contacted')}</dt><dd>{i18n.t(t.customerContacted ? 'console.ticket.yes' : 'console.ticket.no')}</dd></div>}
        {t.reopenCount > 0 && <div><dt>{i18n.t('console.ticket.reopened')}</dt><dd>{i18n.t('console.ticket.reopenedTimes', { count: t.reopenCount })}</dd></div>}
      </dl>
      <ErrorNote error={error} />
      <Actions ticket={t} config={config} me={me} busy={busy} act={act} />

      <div className="columns">
        <div>
          <h2>{i18n.t('console.ticket.feedback', { count: i18n.number(detail.feedback.length) })}</h2>
          {detail.feedback.map((f) => {
            const locale = f.customer?.locale ?? t.customer.locale ?? undefined;
            return (
              <article key={f.feedbackId} className="feedback" data-testid="feedback">
                <header>
                  <strong>{f.metric.toUpperCase()} {f.score}</strong> {f.classification && <span className="muted">{i18n.t('console.classification', { classification: f.classification })}</span>} {f.severity && <SeverityBadge severity={f.severity} />}
                  <span className="muted small"> · {f.source} · {f.channel ?? i18n.t('console.none')} · {when(i18n, f.respondedAt)}{(f.revision ?? 1) > 1 ? ` · ${i18n.t('console.ticket.revised', { revision: f.revision })}` : ''}</span>
                </header>
                {/* as the customer wrote it, in its own direction: never translated (SPEC §14) */}
                {f.comment ? <blockquote lang={locale} dir="auto">{shownText(i18n, f.comment)}</blockquote> : <p className="muted">{i18n.t('console.ticket.noComment')}</p>}
                {!!f.matchedKeywords?.length && <p className="small">{i18n.t('console.ticket.keywords', { keywords: new Intl.ListFormat(i18n.locale, { type: 'unit', style: 'short' }).format(f.matchedKeywords) })}</p>}
              </article>
            );
          })}
        </div>
        <div>
          <h2>{i18n.t('console.ticket.timeline')}</h2>
          <MessageForm config={config} busy={busy} send={(body, key) => act('messages', body, { 'idempotency-key': key })} />
          <NoteForm busy={busy} onAdd={(body) => act('notes', { body })} />
          <ol className="timeline" data-testid="timeline">
            {detail.timeline.map((e) => (
              <li key={e.id} className={`tl-${e.kind}`}>
                <span className="small muted">{when(i18n, e.at)}</span>
                <span className={`badge kind-${e.kind}`}>{i18n.t('console.ticket.kind', { kind: e.kind === 'event' ? e.type.replace(/^ticket\./, '').replace(/\./g, '_') : e.kind })}</span>
                {e.actor && <span className="small">{e.actor.name ?? e.actor.id ?? e.actor.kind}</span>}
                <div dir="auto" data-testid="timeline-text">{timelineText(i18n, e)}</div>
              </li>
            ))}
          </ol>
        </div>
      </div>
    </section>
  );
}

function Actions({ ticket: t, config, me, busy, act }: { ticket: Ticket; config: ConsoleConfig; me: Me; busy: boolean; act: (p: string, b: unknown) => Promise<boolean> }) {
  const i18n = useI18n();
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
      {t.status === 'open' && <button data-testid="claim" disabled={busy} onClick={() => void act('claim', {})}>{i18n.t('console.action.claim')}</button>}
      {t.status === 'claimed' && t.assignee?.id !== me.agent.id && <span className="muted">{i18n.t('console.action.claimedBy', { name: t.assignee?.name })}</span>}
      {t.status !== 'resolved' && (
        <form className="resolve" onSubmit={resolve} data-testid="resolve-form">
          <label>{i18n.t('console.action.rootCause')}
            <select name="rootCause" value={rootCause} onChange={(e) => setRootCause(e.target.value)} required>
              <option value="" disabled>{i18n.t('console.action.choose')}</option>
              {config.rootCauses.map((r) => <option key={r}>{r}</option>)}
            </select>
          </label>
          <label className="grow">{i18n.t('console.action.resolutionNote')}<input name="note" dir="auto" value={note} onChange={(e) => setNote(e.target.value)} /></label>
          <label className="check"><input type="checkbox" name="customerContacted" checked={contacted} onChange={(e) => setContacted(e.target.checked)} /> {i18n.t('console.action.contacted')}</label>
          {config.recheck && <label className="check"><input type="checkbox" name="recheck" checked={recheck} onChange={(e) => setRecheck(e.target.checked)} /> {i18n.t('console.action.recheck')}</label>}
          <button type="submit" disabled={busy || !rootCause}>{i18n.t('console.action.resolve')}</button>
        </form>
      )}
      {t.status === 'resolved' && (
        <form className="resolve" onSubmit={reopen} data-testid="reopen-form">
          <label className="grow">{i18n.t('console.action.reopenReason')}<input name="reason" dir="auto" value={reason} onChange={(e) => setReason(e.target.value)} required /></label>
          <button type="submit" disabled={busy || !reason.trim()}>{i18n.t('console.action.reopen')}</button>
        </form>
      )}
    </div>
  );
}

function NoteForm({ busy, onAdd }: { busy: boolean; onAdd: (body: string) => Promise<boolean> }) {
  const i18n = useI18n();
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
      <textarea name="note" rows={2} dir="auto" placeholder={i18n.t('console.note.placeholder')} value={body} onChange={(e) => setBody(e.target.value)} />
      <button type="submit" disabled={busy || !body.trim()}>{i18n.t('console.note.add')}</button>
    </form>
  );
}

/**
 * A message to the customer (SPEC §11): a template (rendered by tickets in the customer's language) or a text of the
 * agent's own, by SMS or email. Each attempt carries an Idempotency-Key, so a double click or a retry sends once.
 */
function MessageForm({ config, busy, send }: { config: ConsoleConfig; busy: boolean; send: (body: unknown, key: string) => Promise<boolean> }) {
  const i18n = useI18n();
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
      <label>{i18n.t('console.message.channel')}
        <select name="channel" value={channel} onChange={(e) => { setChannel(e.target.value as 'sms' | 'email'); setTemplate(''); }}>
          <option value="sms">{i18n.t('console.message.sms')}</option>
          <option value="email">{i18n.t('console.message.email')}</option>
        </select>
      </label>
      <label>{i18n.t('console.message.template')}
        <select name="template" value={template} onChange={(e) => setTemplate(e.target.value)}>
          <option value="">{i18n.t('console.message.ownText')}</option>
          {templates.map((t) => <option key={t.name} value={t.name}>{t.name}</option>)}
        </select>
      </label>
      {!template && channel === 'email' && <input name="subject" dir="auto" placeholder={i18n.t('console.message.subject')} value={subject} onChange={(e) => setSubject(e.target.value)} />}
      {!template && <textarea name="text" rows={2} dir="auto" placeholder={i18n.t('console.message.text')} value={text} onChange={(e) => setText(e.target.value)} />}
      <button type="submit" disabled={busy || !ready}>{i18n.t('console.message.send')}</button>
    </form>
  );
}
