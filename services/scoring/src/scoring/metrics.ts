import { Counter } from 'prom-client';
import { metric } from '@closeloop/platform';
export { stageLatencySeconds } from '@closeloop/platform';

export const feedbackScoredTotal = metric('closeloop_feedback_scored_total', () => new Counter({
  name: 'closeloop_feedback_scored_total',
  help: 'Feedback scored, by class, whether action is required, and severity',
  labelNames: ['classification', 'action_required', 'severity'] as const,
}));

