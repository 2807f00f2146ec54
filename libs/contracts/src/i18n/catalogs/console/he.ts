import type { ConsoleKey } from './en';

/** The console in `he`. Status: draft (see catalog-status.ts). Keys and ICU arguments mirror en.ts exactly. */
export const he: Record<ConsoleKey, string> = {
  'console.nav.inbox': 'תיבת נכנסים',
};
