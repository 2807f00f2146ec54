import { FormEvent, useState } from 'react';
import { ApiError, ConsoleConfig, Me, api, setToken } from '../api';
import { useI18n } from '../i18n';

/** Sign in with an API token (API_TOKENS, SPEC §3); nothing about tickets or customers is shown before. */
export function SignIn({ onSignedIn }: { onSignedIn: (me: Me, config: ConsoleConfig) => void }) {
  const i18n = useI18n();
  const [token, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await api<Me>('/api/me', { token: token.trim() });
      setToken(token.trim());
      onSignedIn(me, await api<ConsoleConfig>('/api/config'));
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? i18n.t('console.signin.invalid') : i18n.t('console.signin.failed', { reason: (err as Error).message }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="signin">
      <form onSubmit={submit} data-testid="signin-form">
        <h1>{i18n.t('console.title')}</h1>
        <p className="muted">{i18n.t('console.signin.intro')}</p>
        <label>
          {i18n.t('console.signin.token')}
          <input type="password" autoComplete="current-password" value={token} onChange={(e) => setValue(e.target.value)} name="token" autoFocus required />
        </label>
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy || !token.trim()}>{i18n.t(busy ? 'console.signin.busy' : 'console.signin.submit')}</button>
      </form>
    </div>
  );
}
