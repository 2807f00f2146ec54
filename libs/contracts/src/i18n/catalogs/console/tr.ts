import type { ConsoleKey } from './en';

/** The console in `tr`. Status: draft (see catalog-status.ts). Keys and ICU arguments mirror en.ts exactly. */
export const tr: Record<ConsoleKey, string> = {
  'console.nav.inbox': 'Gelen kutusu',
};
