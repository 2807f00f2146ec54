import { StrictMode, useCallback, useEffect, useState } from 'react';
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
import './styles.css';


function App() {
  const route = useRoute();
  const [me, setMe] = useState<Me | null>(null);
  const [config, setConfig] = useState<ConsoleConfig | null>(null);
  const [live, setLive] = useState(false);
  const [checking, setChecking] = useState(!!getToken());

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

  if (checking) return <p className="muted pad">Checking your session…</p>;
  if (!me || !config) {
    return (
      <SignIn
        onSignedIn={(m, c) => {
          setMe(m);
          setConfig(c);
          if (route.name === 'signin') navigate('/');
        }}
      />
    );
  }

  return (
    <div className="layout">
      <header className="top">
        <strong className="brand">Closeloop</strong>
        <nav>
          <a href="/" className={route.name === 'inbox' || route.name === 'ticket' ? 'active' : ''} onClick={link('/')}>Inbox</a>
          {may('ops.read') && <a href="/ops" className={route.name === 'ops' ? 'active' : ''} onClick={link('/ops')}>Ops</a>}
          {may('ops.read') && <a href="/sources" className={route.name === 'sources' ? 'active' : ''} onClick={link('/sources')}>Sources</a>}
          {may('reports.read') && <a href="/reports" className={route.name === 'reports' ? 'active' : ''} onClick={link('/reports')}>Reports</a>}
        </nav>
        <span className={`live ${live ? 'on' : 'off'}`} data-testid="live-state" title={live ? 'live updates connected' : 'live updates reconnecting'}>
          {live ? '● live' : '○ offline'}
        </span>
        <span className="who" data-testid="signed-in-as">{me.agent.name} <span className="muted" data-testid="signed-in-role">({me.agent.role})</span></span>
        <button className="link" onClick={signOut}>Sign out</button>
      </header>
      <main>
        {route.name === 'ticket' ? <TicketPage id={route.id} config={config} me={me} />
          : route.name === 'ops' ? (may('ops.read') ? <Ops /> : <NotForRole page="Ops" roles="ops or admin" me={me} />)
          : route.name === 'sources' ? (may('ops.read') ? <Sources /> : <NotForRole page="Sources" roles="ops or admin" me={me} />)
          : route.name === 'reports' ? (may('reports.read') ? <Reports config={config} /> : <NotForRole page="Reports" roles="lead or admin" me={me} />)
          : <Inbox config={config} me={me} />}
      </main>
    </div>
  );
}

/** A page the signed-in role does not open (SPEC §12): said plainly, instead of a page of 403s. */
function NotForRole({ page, roles, me }: { page: string; roles: string; me: Me }) {
  return (
    <p className="pad" role="alert" data-testid="not-for-role">
      The {page} page is for the roles {roles}; you are signed in as {me.agent.role}.
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
