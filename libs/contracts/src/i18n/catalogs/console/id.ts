import type { ConsoleKey } from './en';

/** The console in `id`. Status: draft (see catalog-status.ts). Keys and ICU arguments mirror en.ts exactly. */
export const id: Record<ConsoleKey, string> = {
  'console.nav.inbox': 'Kotak masuk',
};
