import {
  Classification, FeedbackReceivedData, METRIC_SCALES, Metric, RoutingConfig, Severity, alertThresholdFor, maxSeverity, teamFor,
} from '@closeloop/contracts';
import { foldForMatching, matchKeywords } from './keywords';

/** SPEC §5, per metric: the classes and the score ranges (inclusive) that fall in them. */
const CLASSES: Record<Metric, { upTo: number; classification: Classification }[]> = {
  nps: [{ upTo: 6, classification: 'detractor' }, { upTo: 8, classification: 'passive' }, { upTo: 10, classification: 'promoter' }],
  csat: [{ upTo: 2, classification: 'negative' }, { upTo: 3, classification: 'neutral' }, { upTo: 5, classification: 'positive' }],
  ces: [{ upTo: 3, classification: 'negative' }, { upTo: 4, classification: 'neutral' }, { upTo: 7, classification: 'positive' }],
};

export function classify(metric: Metric, score: number): Classification {
  const scale = METRIC_SCALES[metric];
  const match = scale && Number.isInteger(score) && score >= scale.min ? CLASSES[metric].find((c) => score <= c.upTo) : undefined;
  // events are validated on consumption, so a miss is a bug upstream, never a customer's input
  if (!match) throw new RangeError(`score ${score} is not on the ${metric} scale`);
  return match.classification;
}

/** The bad class of each metric: a detractor (nps) or negative (csat, ces). */
export function isNegative(classification: Classification): boolean {
  return classification === 'detractor' || classification === 'negative';
}

/** nps at or below this is critical by itself. */
export const NPS_VERY_LOW = 2;
/** "A second negative from the same customer within 30 days" (SPEC §5). */
export const REPEAT_NEGATIVE_WINDOW_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Where an earlier-scored negative of the same customer makes this one a repeat: 30 days either side of
 * `respondedAt`, both ends included. Both sides, because feedback can arrive out of order (a survey tool's
 * backlog, a retried batch): of two negatives within 30 days, whichever is scored second is the repeat,
 * whatever their order of response.
 */
export function repeatNegativeWindow(respondedAt: string): { from: Date; to: Date } {
  const at = Date.parse(respondedAt);
  if (Number.isNaN(at)) throw new RangeError(`respondedAt "${respondedAt}" is not a date`);
  const span = REPEAT_NEGATIVE_WINDOW_DAYS * DAY_MS;
  return { from: new Date(at - span), to: new Date(at + span) };
}

export type ScoringRule = 'score-at-or-below-threshold' | 'critical-keyword' | 'alert-keyword' | 'nps-very-low' | 'repeat-negative' | 'vip';
export interface Reason {
  rule: ScoringRule;
  detail: string;
}

export interface DecisionInput {
  feedback: Pick<FeedbackReceivedData, 'touchpoint' | 'metric' | 'score' | 'comment' | 'attributes'>;
  routing: RoutingConfig;
  /** Another negative of this customer was scored with respondedAt within the window above. */
  recentNegativeWithin30d: boolean;
  /** That negative, when known: only used to explain the decision. */
  previousNegative?: { feedbackId: string; respondedAt: string };
}

export interface Decision {
  classification: Classification;
  negative: boolean;
  actionRequired: boolean;
  severity: Severity;
  team: string;
  /** Every rule that fired, in the order: why action is required, then why the severity. */
  reasons: Reason[];
  /** Critical keywords first, then alert keywords, as written in the routing file. */
  matchedKeywords: string[];
}

const quoted = (words: string[]) => words.map((w) => `"${w}"`).join(', ');

/** SPEC §5: one feedback → its class, whether someone must act, how urgently, which team, and why. */
export function decide({ feedback, routing, recentNegativeWithin30d, previousNegative }: DecisionInput): Decision {
  const { touchpoint, metric, score } = feedback;
  const classification = classify(metric, score);
  const negative = isNegative(classification);
  const reasons: Reason[] = [];
  let actionRequired = false;
  let severity: Severity = 'normal';

  const threshold = alertThresholdFor(routing, touchpoint, metric);
  if (score <= threshold) {
    actionRequired = true;
    reasons.push({ rule: 'score-at-or-below-threshold', detail: `${metric} ${score} ≤ ${threshold} (touchpoint ${touchpoint})` });
  }

  const critical = matchKeywords(feedback.comment, routing.keywords.critical);
  // a keyword listed under both (in any case) is critical, and reported once
  const criticalFolded = new Set(critical.map(foldForMatching));
  const alert = matchKeywords(feedback.comment, routing.keywords.alert).filter((k) => !criticalFolded.has(foldForMatching(k)));
  if (critical.length) {
    actionRequired = true;
    severity = 'critical';
    reasons.push({ rule: 'critical-keyword', detail: `comment mentions ${quoted(critical)}` });
  }
  if (alert.length) {
    actionRequired = true;
    reasons.push({ rule: 'alert-keyword', detail: `comment mentions ${quoted(alert)}` });
  }

  if (metric === 'nps' && score <= NPS_VERY_LOW) {
    severity = 'critical';
    reasons.push({ rule: 'nps-very-low', detail: `nps ${score} ≤ ${NPS_VERY_LOW}` });
  }
  if (negative && recentNegativeWithin30d) {
    severity = 'critical';
    const previous = previousNegative ? ` (feedback ${previousNegative.feedbackId}, responded ${previousNegative.respondedAt})` : '';
    reasons.push({ rule: 'repeat-negative', detail: `second negative from this customer within ${REPEAT_NEGATIVE_WINDOW_DAYS} days${previous}` });
  }
  if (feedback.attributes?.vip === true) {
    severity = maxSeverity(severity, 'high');
    reasons.push({ rule: 'vip', detail: 'customer is a VIP (attributes.vip = true)' });
  }

  return {
    classification, negative, actionRequired, severity,
    team: teamFor(routing, touchpoint).id,
    reasons,
    matchedKeywords: [...critical, ...alert],
  };
}
