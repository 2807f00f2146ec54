import type { ConsoleKey } from './en';

/** The console in `zh`. Status: draft (see catalog-status.ts). Keys and ICU arguments mirror en.ts exactly. */
export const zh: Record<ConsoleKey, string> = {
  'console.nav.inbox': '收件箱',
};
