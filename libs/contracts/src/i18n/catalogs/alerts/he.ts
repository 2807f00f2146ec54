import type { AlertsKey } from './en';

/** Alerts in `he`. Status: draft (see catalog-status.ts). Keys and ICU arguments mirror en.ts exactly. */
export const he: Record<AlertsKey, string> = {
  'alert.button.claim': 'לקחת',
  'alert.claimedBy': 'נלקח על ידי {name}',
  'alert.button.resolve': 'סגירה',
};
