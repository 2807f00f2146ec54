import type { AlertsKey } from './en';

/** Alerts in `zh`. Status: draft (see catalog-status.ts). Keys and ICU arguments mirror en.ts exactly. */
export const zh: Record<AlertsKey, string> = {
  'alert.button.claim': '认领',
  'alert.claimedBy': '{name} 已认领',
  'alert.button.resolve': '解决',
};
