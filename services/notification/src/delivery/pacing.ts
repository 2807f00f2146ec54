import type { DeliveryRow } from '../persistence/notification.repository';

/**
 * The deliveries that post a new message to a Slack channel, and so take that channel's slot first (SPEC §7: about one
 * message per second per channel): the top-level alert, a thread reply, a lead's digest (a DM, its channel the lead's
 * user id). `chat.update` and `response_url` answers are not new messages and are not paced. The claim
 * (`NotificationRepository.claimDue`) uses the same list, so it must stay the only one.
 */
export const PACED_PURPOSES = ['alert', 'thread_reply', 'digest'] as const;

/** Whether sending `d` takes its Slack channel's posting slot first (see PACED_PURPOSES). */
export function isPacedPost(d: Pick<DeliveryRow, 'channel' | 'purpose'>): boolean {
  return d.channel === 'slack' && (PACED_PURPOSES as readonly string[]).includes(d.purpose);
}

/**
 * When a wake-up planned for `atMs` fires: rounded up to the next multiple of `bucketMs`, so the worker's timed
 * wake-ups (a channel slot freeing, a finished queue) share one claim per bucket instead of one claim each. Never
 * earlier than asked: a wake-up for a channel slot must not come before the slot is free.
 */
export function wakeBucket(atMs: number, bucketMs: number): number {
  return bucketMs <= 1 ? Math.ceil(atMs) : Math.ceil(atMs / bucketMs) * bucketMs;
}
