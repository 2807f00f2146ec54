import { useEffect, useState } from 'react';

export type Route =
  | { name: 'inbox' }
  | { name: 'ticket'; id: string }
  | { name: 'ops' }
  | { name: 'sources' }
  | { name: 'reports' }
  | { name: 'signin' };

export function parseRoute(pathname: string): Route {
  const m = /^\/tickets\/([^/]+)\/?$/.exec(pathname);
  if (m) return { name: 'ticket', id: decodeURIComponent(m[1]) };
  if (/^\/ops\/?$/.test(pathname)) return { name: 'ops' };
  if (/^\/sources\/?$/.test(pathname)) return { name: 'sources' };
  if (/^\/reports\/?$/.test(pathname)) return { name: 'reports' };
  if (/^\/signin\/?$/.test(pathname)) return { name: 'signin' };
  return { name: 'inbox' };
}

const EVENT = 'closeloop:navigate';

export function navigate(path: string): void {
  if (path !== location.pathname + location.search) history.pushState(null, '', path);
  window.dispatchEvent(new Event(EVENT));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname));
    window.addEventListener('popstate', update);
    window.addEventListener(EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(EVENT, update);
    };
  }, []);
  return route;
}

/** onClick for an in-app link: client-side navigation, but a new tab still works. */
export function link(path: string) {
  return (e: { metaKey: boolean; ctrlKey: boolean; shiftKey: boolean; button: number; preventDefault(): void }) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigate(path);
  };
}
