import type { AlertsKey } from './en';

/** Alerts in `tr`. Status: draft (see catalog-status.ts). Keys and ICU arguments mirror en.ts exactly. */
export const tr: Record<AlertsKey, string> = {
  'alert.button.claim': 'Üstlen',
  'alert.claimedBy': '{name} üstlendi',
  'alert.button.resolve': 'Çözüldü',
};
