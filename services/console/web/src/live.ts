import { useEffect } from 'react';
import type { LiveMessage } from './api';

type Listener = (m: LiveMessage) => void;
const listeners = new Set<Listener>();

/** Pages subscribe to the live feed; the app keeps one connection per tab and emits here. */
export function useLive(fn: Listener): void {
  useEffect(() => {
    listeners.add(fn);
    return () => void listeners.delete(fn);
  }, [fn]);
}

export function emitLive(m: LiveMessage): void {
  listeners.forEach((l) => l(m));
}
