import { StrictMode, useCallback, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ConsoleConfig, Me, api, followLive, getToken, setToken, setUnauthorizedHandler } from './api';
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
          <a href="/ops" className={route.name === 'ops' ? 'active' : ''} onClick={link('/ops')}>Ops</a>
          <a href="/sources" className={route.name === 'sources' ? 'active' : ''} onClick={link('/sources')}>Sources</a>
          <a href="/reports" className={route.name === 'reports' ? 'active' : ''} onClick={link('/reports')}>Reports</a>
        </nav>
        <span className={`live ${live ? 'on' : 'off'}`} data-testid="live-state" title={live ? 'live updates connected' : 'live updates reconnecting'}>
          {live ? '● live' : '○ offline'}
        </span>
        <span className="who" data-testid="signed-in-as">{me.agent.name}</span>
        <button className="link" onClick={signOut}>Sign out</button>
      </header>
      <main>
        {route.name === 'ticket' ? <TicketPage id={route.id} config={config} me={me} />
          : route.name === 'ops' ? <Ops />
          : route.name === 'sources' ? <Sources />
          : route.name === 'reports' ? <Reports />
          : <Inbox config={config} me={me} />}
      </main>
    </div>
  );
}


const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
