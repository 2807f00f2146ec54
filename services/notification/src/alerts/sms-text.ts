import type { TicketSnapshot } from '@closeloop/contracts';
import { maskPhoneNumbersIn } from '../channels';
import { consoleTicketUrl, customerLabel, scoreLabel, truncate } from '../slack/blocks';

export type SmsReason = 'critical_opened' | 'raised_to_critical' | 'sla_breached_first_response' | 'sla_breached_resolve' | 'escalated';

const LEAD: Record<SmsReason, (t: TicketSnapshot) => string> = {
  critical_opened: () => 'Closeloop CRITICAL',
  raised_to_critical: () => 'Closeloop: ticket raised to CRITICAL',
  sla_breached_first_response: (t) => `Closeloop SLA breach, nobody responded (${t.severity})`,
  sla_breached_resolve: (t) => `Closeloop SLA breach, not resolved in time (${t.severity})`,
  escalated: (t) => `Closeloop escalation, still unclaimed (${t.severity})`,
};

/**
 * A short SMS: what happened, the score, where, who, an excerpt and the console link. Kept near two segments
 * (a non-GSM character such as "ş" makes the whole message UCS-2, 70 chars per segment). Phone numbers a
 * customer typed into the comment are masked: an SMS is not the place to spread them.
 */
export function renderSms(reason: SmsReason, t: TicketSnapshot, consoleUrl: string): string {
  const status = t.status === 'claimed' ? `, claimed by ${t.assigneeName ?? t.assigneeId ?? 'an agent'}` : t.status === 'open' ? ', unclaimed' : '';
  const comment = t.comment ? ` "${truncate(maskPhoneNumbersIn(t.comment.replace(/\s+/g, ' ').trim()), 80)}"` : '';
  return `${LEAD[reason](t)}: ${scoreLabel(t)} at ${t.touchpoint}, ${truncate(customerLabel(t), 60)}${status}.${comment} ${consoleTicketUrl(consoleUrl, t.id)}`;
}
