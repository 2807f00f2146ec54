/**
 * The ticket timeline as the console shows it (SPEC §14): tickets stores each entry's catalog key and arguments next to
 * its English text, and the console renders them in the agent's language. Values (names, notes, replies, root-cause
 * ids, touchpoints, dates as stored) are shown as written. Status: source.
 */
export const en = {
  'timeline.opened': 'Ticket opened: {metric} {score} at {touchpoint} ({severity, select, critical {critical} high {high} normal {normal} other {{severity}}})',
  'timeline.assignedOnOpen': ' · assigned to {assignee} ({policy})',
  'timeline.feedbackAttached': 'Feedback attached: {metric} {score} at {touchpoint} ({count} in total)',
  'timeline.feedbackAttachedRaised': 'Feedback attached: {metric} {score} at {touchpoint}; severity {previous, select, critical {critical} high {high} normal {normal} other {{previous}}} → {severity, select, critical {critical} high {high} normal {normal} other {{severity}}} ({count} in total)',
  'timeline.feedbackRevised': 'Feedback revised by the customer (revision {revision}): {metric} {score} at {touchpoint}',
  'timeline.feedbackRevisedRaised': 'Feedback revised by the customer (revision {revision}): {metric} {score} at {touchpoint}; severity {previous, select, critical {critical} high {high} normal {normal} other {{previous}}} → {severity, select, critical {critical} high {high} normal {normal} other {{severity}}}',
  'timeline.claimed': 'Claimed by {who}{via, select, api {} other { via {via}}}',
  'timeline.assigned': 'Assigned to {assignee} by {who}{via, select, api {} other { via {via}}}',
  'timeline.resolved': '{alsoClaimed, select, yes {Claimed and resolved} other {Resolved}} by {who}{via, select, api {} other { via {via}}}: root cause {rootCause}{contacted, select, yes {, customer contacted} no {, customer not contacted} other {}}',
  'timeline.reopened': 'Reopened by {who}: {reason}',
  'timeline.note': 'Note by {who}: {body}',
  'timeline.slaFirstResponse': 'First-response SLA breached: not claimed by {due}',
  'timeline.slaResolve': 'Resolve SLA breached: not resolved by {due}',
  'timeline.commandRejected': '{command} by {who}{via, select, api {} other { via {via}}} rejected: {reason}',
  'timeline.delivery': '{channel, select, sms {SMS} slack {Slack} email {Email} other {Log}} {purpose, select, alert {alert} update {update} thread_reply {thread reply} sms {sms} email {email} ephemeral {ephemeral} customer_sms {message} customer_email {customer email} digest {digest} other {{purpose}}} to {purpose, select, customer_sms {the customer ({recipient})} other {{recipient}}}: {status, select, pending {pending} held {held} sent {sent} delivered {delivered} retrying {retrying} failed {failed} other {{status}}}',
  'timeline.deliveryError': ' ({error})',
  'timeline.deliveryAttempts': ' after {attempts} attempt(s)',
  'timeline.escalated': 'Escalated (step {step} of {of}): not claimed {after} after it {reopened, select, yes {was reopened} other {opened}}; notifying {notify}',
  'timeline.recheckScheduled': 'Recheck scheduled for {due}',
  'timeline.recheckSent': 'Recheck sent: the customer is asked by SMS how likely they are to recommend us now',
  'timeline.recheckSkipped': 'No recheck was sent: {why, select, reopened {the ticket was reopened} no_public_base_url {tickets has no PUBLIC_BASE_URL to build the link with} no_phone {the customer has no phone number} opted_out {the customer has opted out of SMS} template {the recheck template does not render} other {{why}}}',
  'timeline.detail': ' ({detail})',
  'timeline.recheckAnswered': 'The customer answered the recheck: NPS {score}/10',
  'timeline.texted': '{agent} texted the customer: {body}',
  'timeline.emailed': '{agent} emailed the customer: {subject}',
  'timeline.replied': 'The customer replied by SMS: {body}',
  'timeline.unsubscribedEmail': 'The customer unsubscribed from email (the link in an email); nothing more is emailed to them',
  'timeline.optedOutSms': 'The customer opted out of SMS ({reason, select, stop_reply {they replied STOP} other {Twilio: the number unsubscribed, error 21610}}); nothing more is texted to them',
} as const;

export type TimelineKey = keyof typeof en;
