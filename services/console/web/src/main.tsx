import { StrictMode, useCallback, useEffect, useMemo, useState } from 'react';
import { LOCALES, type Locale, isLocale, translator } from '@closeloop/contracts/i18n';
import { createRoot } from 'react-dom/client';
import { ConsoleConfig, Me, Permission, api, followLive, getToken, setToken, setUnauthorizedHandler } from './api';
import { link, navigate, useRoute } from './router';
import { emitLive } from './live';
import { SignIn } from './pages/SignIn';
import { Inbox } from './pages/Inbox';
import { TicketPage } from './pages/TicketPage';
import { Ops } from './pages/Ops';
import { Sources } from './pages/Sources';
import { Reports } from './pages/Reports';
import { I18nProvider, applyToDocument, browserLocale, consoleTranslator, errorText, useI18n } from './i18n';
import './styles.css';

function App() {
  const route = useRoute();
  const [me, setMe] = useState<Me | null>(null);
  const [config, setConfig] = useState<ConsoleConfig | null>(null);
  const [live, setLive] = useState(false);
  const [checking, setChecking] = useState(!!getToken());
  const [switchError, setSwitchError] = useState<string | null>(null);
  // the signed-in agent's language (SPEC §14), else the browser's
  const locale: Locale = me && isLocale(me.locale) ? me.locale : browserLocale();
  const i18n = useMemo(() => consoleTranslator(locale), [locale]);
  useEffect(() => applyToDocument(i18n), [i18n]);

  const signOut = useCallback(() => {
    setToken(null);
    setMe(null);
    setConfig(null);
    navigate('/signin');
  }, []);

  useEffect(() => setUnauthorizedHandler(signOut), [signOut]);

  // a token left in this tab's session: check it is still valid before showing anything
  useEffect(() => {
    if (!getToken()) return;
    Promise.all([api<Me>('/api/me'), api<ConsoleConfig>('/api/config')])
      .then(([m, c]) => {
        setMe(m);
        setConfig(c);
      })
      .catch(() => setToken(null))
      .finally(() => setChecking(false));
  }, []);

  useEffect(() => {
    if (!me) return;
    return followLive(emitLive, setLive);
  }, [me]);

  const may = (p: Permission) => !!me?.permissions.includes(p);

  /** The language switcher: remembered for the agent on the server, so every browser they sign in from follows. */
  const chooseLocale = async (next: Locale) => {
    try {
      const chosen = await api<{ locale: Locale }>('/api/me/locale', { method: 'PUT', body: { locale: next } });
      setMe((m) => (m ? { ...m, locale: chosen.locale } : m));
      setSwitchError(null);
    } catch (err) {
      setSwitchError(errorText(i18n, err));
    }
  };

  let body;
  if (checking) body = <p className="muted pad">{i18n.t('console.session.checking')}</p>;
  else if (!me || !config) {
    body = (
      <SignIn
        onSignedIn={(m, c) => {
          setMe(m);
          setConfig(c);
          if (route.name === 'signin') navigate('/');
        }}
      />
    );
  } else {
    body = (
      <div className="layout">
        <header className="top">
          <strong className="brand">Closeloop</strong>
          <nav aria-label={i18n.t('console.nav.label')}>
            <a href="/" className={route.name === 'inbox' || route.name === 'ticket' ? 'active' : ''} onClick={link('/')}>{i18n.t('console.nav.inbox')}</a>
            {may('ops.read') && <a href="/ops" className={route.name === 'ops' ? 'active' : ''} onClick={link('/ops')}>{i18n.t('console.nav.ops')}</a>}
            {may('ops.read') && <a href="/sources" className={route.name === 'sources' ? 'active' : ''} onClick={link('/sources')}>{i18n.t('console.nav.sources')}</a>}
            {may('reports.read') && <a href="/reports" className={route.name === 'reports' ? 'active' : ''} onClick={link('/reports')}>{i18n.t('console.nav.reports')}</a>}
          </nav>
          <span className={`live ${live ? 'on' : 'off'}`} data-testid="live-state" title={i18n.t(live ? 'console.live.onTitle' : 'console.live.offTitle')}>
            {i18n.t(live ? 'console.live.on' : 'console.live.off')}
          </span>
          <span className="who" data-testid="signed-in-as">{me.agent.name} <span className="muted" data-testid="signed-in-role">({i18n.t('console.role', { role: me.agent.role })})</span></span>
          <select className="language" name="language" data-testid="language" aria-label={i18n.t('console.language.label')} value={locale} onChange={(e) => void chooseLocale(e.target.value as Locale)}>
            {/* each language named in itself, as people look for their own */}
            {LOCALES.map((l) => <option key={l} value={l} lang={l}>{translator(l).t('console.language.name')}</option>)}
          </select>
          <button className="link" onClick={signOut}>{i18n.t('console.signOut')}</button>
        </header>
        {switchError && <p className="error pad" role="alert">{switchError}</p>}
        <main>
          {route.name === 'ticket' ? <TicketPage id={route.id} config={config} me={me} />
            : route.name === 'ops' ? (may('ops.read') ? <Ops /> : <NotForRole page="console.nav.ops" roles={['ops', 'admin']} me={me} />)
            : route.name === 'sources' ? (may('ops.read') ? <Sources /> : <NotForRole page="console.nav.sources" roles={['ops', 'admin']} me={me} />)
            : route.name === 'reports' ? (may('reports.read') ? <Reports config={config} /> : <NotForRole page="console.nav.reports" roles={['lead', 'admin']} me={me} />)
            : <Inbox config={config} me={me} />}
        </main>
      </div>
    );
  }
  return <I18nProvider value={i18n}>{body}</I18nProvider>;
}

/** A page the signed-in role does not open (SPEC §12): said plainly, instead of a page of 403s. */
function NotForRole({ page, roles, me }: { page: 'console.nav.ops' | 'console.nav.sources' | 'console.nav.reports'; roles: string[]; me: Me }) {
  const i18n = useI18n();
  const names = roles.map((role) => i18n.t('console.role', { role }));
  return (
    <p className="pad" role="alert" data-testid="not-for-role">
      {i18n.t('console.notForRole', { page: i18n.t(page), roles: new Intl.ListFormat(i18n.locale, { type: 'disjunction' }).format(names), role: i18n.t('console.role', { role: me.agent.role }) })}
    </p>
  );
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
