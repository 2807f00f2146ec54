import type { RoutingConfig, TrendEvent } from '@closeloop/contracts';
import { teamById } from '@closeloop/contracts';
import { type AlertPlan, chatTarget } from '../alerts/alert-planner';

/**
 * Trend event → its chat delivery (SPEC §12, ADR 0020). Pure. `trend.opened` is the trend's one top-level message in
 * its team's channel; every later event is a `chat.update` of it, rendered when sent from the newest trend known.
 * A team the routing file no longer has gets nothing.
 */
export function planTrendAlert(event: TrendEvent, routing: RoutingConfig, now: Date, chat: 'slack' | 'log'): AlertPlan {
  const team = teamById(routing, event.data.team);
  if (!team) return { deliveries: [] };
  const target = chatTarget(team, chat);
  const opened = event.type === 'trend.opened';
  return {
    ...(opened && { alert: { channel: target.recipient, provider: target.channel === 'slack' ? 'slack' : 'log' } }),
    deliveries: [{
      channel: target.channel, recipient: target.recipient, purpose: opened ? 'alert' : 'update', status: 'pending', notBefore: now, critical: false,
      payload: opened ? { kind: 'alert', subject: 'trend' } : { kind: 'update', subject: 'trend' },
    }],
  };
}
