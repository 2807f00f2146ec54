/**
 * What a person reads in the console (SPEC §14), in ICU MessageFormat like the alerts. Status: source.
 */
export const en = {
  'console.nav.inbox': 'Inbox',
} as const;

export type ConsoleKey = keyof typeof en;
