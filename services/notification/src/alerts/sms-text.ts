import type { TicketSnapshot, Translator } from '@closeloop/contracts';
import { maskPhoneNumbersIn } from '../channels';
import { consoleTicketUrl, customerLabel, scoreLabel, severityName, truncate } from '../slack/blocks';

export type SmsReason = 'critical_opened' | 'raised_to_critical' | 'sla_breached_first_response' | 'sla_breached_resolve' | 'escalated';

/**
 * A short SMS in the team's language: what happened, the score, where, who, an excerpt and the console link. Kept
 * near two segments (a non-GSM character such as "ş" makes the whole message UCS-2, 70 chars per segment). Phone
 * numbers a customer typed into the comment are masked: an SMS is not the place to spread them.
 */
export function renderSms(reason: SmsReason, t: TicketSnapshot, consoleUrl: string, i18n: Translator): string {
  const lead = i18n.t('sms.lead', { reason, severity: severityName(t.severity, i18n) });
  const body = i18n.t('sms.body', {
    lead, score: scoreLabel(t), touchpoint: t.touchpoint, customer: truncate(customerLabel(t), 60), status: t.status, name: t.assigneeName ?? t.assigneeId ?? i18n.t('alert.anAgent'),
  });
  const comment = t.comment ? ` "${truncate(maskPhoneNumbersIn(t.comment.replace(/\s+/g, ' ').trim()), 80)}"` : '';
  return `${body}${comment} ${consoleTicketUrl(consoleUrl, t.id)}`;
}
