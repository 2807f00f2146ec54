import { smsSegments, type TicketSnapshot, type Translator } from '@closeloop/contracts';
import { maskPhoneNumbersIn } from '../channels';
import { consoleTicketUrl, customerLabel, scoreLabel, severityName, truncate } from '../slack/blocks';

export type SmsReason = 'critical_opened' | 'raised_to_critical' | 'sla_breached_first_response' | 'sla_breached_resolve' | 'escalated';

/** An alert SMS is at most this many SMS in any language (a UCS-2 text — Chinese, Hebrew, most Turkish — is 67 units a part). */
export const SMS_ALERT_MAX_SEGMENTS = 4;
const COMMENT_EXCERPT = 80;

/**
 * A short SMS in the team's language: what happened, the score, where, who, an excerpt and the console link. The
 * excerpt is shortened until the whole text fits SMS_ALERT_MAX_SEGMENTS (a non-GSM character such as "ş" or any
 * Chinese makes the whole message UCS-2, 70 units for one SMS, 67 a part). Phone numbers a customer typed into the
 * comment are masked: an SMS is not the place to spread them.
 */
export function renderSms(reason: SmsReason, t: TicketSnapshot, consoleUrl: string, i18n: Translator): string {
  const lead = i18n.t('sms.lead', { reason, severity: severityName(t.severity, i18n) });
  const body = i18n.t('sms.body', {
    lead, score: scoreLabel(t), touchpoint: t.touchpoint, customer: truncate(customerLabel(t), 60), status: t.status, name: t.assigneeName ?? t.assigneeId ?? i18n.t('alert.anAgent'),
  });
  const url = consoleTicketUrl(consoleUrl, t.id);
  const said = t.comment ? maskPhoneNumbersIn(t.comment.replace(/\s+/g, ' ').trim()) : '';
  for (let max = COMMENT_EXCERPT; max > 0; max -= 10) {
    const text = `${body} "${truncate(said, max)}" ${url}`;
    if (said && smsSegments(text).segments <= SMS_ALERT_MAX_SEGMENTS) return text;
  }
  return `${body} ${url}`;
}
