import type { AlertsKey } from './en';

/** Alerts in `id`. Status: draft (see catalog-status.ts). Keys and ICU arguments mirror en.ts exactly. */
export const id: Record<AlertsKey, string> = {
  'alert.button.claim': 'Ambil',
  'alert.claimedBy': 'Diambil oleh {name}',
  'alert.button.resolve': 'Selesaikan',
};
