/**
 * The judgement of one analysis interval from its per-metric classifications, after Kayenta's
 * WeightedSumScorer and ThresholdScoreClassifier: each group scores the share of its counted
 * metrics that passed, the groups' weights (summing to 100) make the score, a critical failure
 * makes it 0, and the pass and marginal thresholds decide. Plus the rule that ends a run of
 * Inconclusive intervals. Pure: no clock, no I/O.
 */
import type { MetricClassification, MetricVerdict } from './classify.ts';

export const DEFAULT_PASS_THRESHOLD = 75;
export const DEFAULT_MARGINAL_THRESHOLD = 50;
/** The group of a metric that names none. */
export const DEFAULT_GROUP = 'default';

export interface ScoreThresholds {
  /** A score at or above this passes; default 75. */
  pass: number;
  /** A score at or above this (and below pass) holds the release for a person; default 50. */
  marginal: number;
}

export interface ScoreConfig {
  /** Weight per group name; groups without one share what is left of 100 equally. */
  groupWeights?: Readonly<Record<string, number>>;
  thresholds?: ScoreThresholds;
}

export interface GroupedClassification {
  classification: MetricClassification;
  /** The groups the metric counts in; none means DEFAULT_GROUP. */
  groups?: readonly string[];
}

export interface GroupScore {
  group: string;
  /** 0..100: the share of counted metrics that passed; 100 when none was counted. */
  score: number;
  weight: number;
  /** No metric of the group was counted (all NoData not required, or Inconclusive). */
  noData: boolean;
  counts: Record<MetricVerdict, number>;
}

/** pass: promote; marginal: hold at a gate for a person; fail: a failed check; inconclusive: neither. */
export type JudgementDecision = 'pass' | 'marginal' | 'fail' | 'inconclusive';

export interface Judgement {
  decision: JudgementDecision;
  /** 0..100, two decimals; 0 after a critical failure. Inconclusive metrics are left out. */
  score: number;
  groups: GroupScore[];
  thresholds: ScoreThresholds;
  reason: string;
}

const VERDICTS: readonly MetricVerdict[] = ['Pass', 'High', 'Low', 'NoData', 'Inconclusive'];

function groupsOf(metric: GroupedClassification): readonly string[] {
  return metric.groups && metric.groups.length > 0 ? metric.groups : [DEFAULT_GROUP];
}

function validThresholds(thresholds: ScoreThresholds): ScoreThresholds {
  const { pass, marginal } = thresholds;
  if (!(marginal >= 0 && marginal <= pass && pass <= 100)) {
    throw new RangeError(
      `score thresholds need 0 ≤ marginal ≤ pass ≤ 100, got marginal ${marginal}, pass ${pass}`,
    );
  }
  return thresholds;
}

/**
 * The weight of each group that holds a metric. Configured weights are taken as they are, the
 * other groups share 100 − their sum equally (Kayenta); the result must sum to 100.
 */
export function resolveGroupWeights(
  groups: readonly string[],
  configured: Readonly<Record<string, number>> = {},
): Map<string, number> {
  for (const [group, weight] of Object.entries(configured)) {
    if (!(Number.isFinite(weight) && weight >= 0))
      throw new RangeError(`group ${group}: weight must be ≥ 0, got ${weight}`);
    if (!groups.includes(group)) throw new RangeError(`group ${group} has a weight but no metric`);
  }
  const configuredSum = Object.values(configured).reduce((a, b) => a + b, 0);
  const unweighted = groups.filter((g) => !(g in configured));
  const share = unweighted.length > 0 ? (100 - configuredSum) / unweighted.length : 0;
  const weights = new Map(groups.map((g) => [g, g in configured ? configured[g] : share]));
  const total = [...weights.values()].reduce((a, b) => a + b, 0);
  if (share < 0 || Math.abs(total - 100) > 1e-9) {
    throw new RangeError(
      `group weights must sum to 100, got ${formatScore(configuredSum)} for ${Object.keys(configured).join(', ')}`,
    );
  }
  return weights;
}

function formatScore(score: number): string {
  return String(Math.round(score * 100) / 100);
}

function scoreGroup(group: string, members: readonly MetricClassification[], weight: number): GroupScore {
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<MetricVerdict, number>;
  let counted = 0;
  let passed = 0;
  for (const member of members) {
    counts[member.verdict]++;
    if (member.verdict === 'Pass') passed++;
    if (member.verdict === 'Pass' || member.failed) counted++;
  }
  // A group with nothing to count takes its full weight, as Kayenta's current scorer does.
  return {
    group,
    score: counted === 0 ? 100 : (100 * passed) / counted,
    weight,
    noData: counted === 0,
    counts,
  };
}

function describe(metric: MetricClassification): string {
  return `${metric.metric} ${metric.verdict}${metric.verdict === 'NoData' ? ' (required)' : ''}`;
}

/** Judges one interval from the classifications of its metrics. */
export function judgeInterval(
  metrics: readonly GroupedClassification[],
  config: ScoreConfig = {},
): Judgement {
  if (metrics.length === 0) throw new RangeError('an interval needs at least one metric to judge');
  const thresholds = validThresholds(
    config.thresholds ?? { pass: DEFAULT_PASS_THRESHOLD, marginal: DEFAULT_MARGINAL_THRESHOLD },
  );
  const names = [...new Set(metrics.flatMap(groupsOf))];
  const weights = resolveGroupWeights(names, config.groupWeights);
  const groups = names.map((group) =>
    scoreGroup(
      group,
      metrics.filter((m) => groupsOf(m).includes(group)).map((m) => m.classification),
      weights.get(group) ?? 0,
    ),
  );
  const summed = groups.reduce((sum, g) => sum + (g.score * g.weight) / 100, 0);
  const score = Math.round(summed * 100) / 100;
  const classifications = metrics.map((m) => m.classification);

  const critical = classifications.filter((m) => m.critical);
  if (critical.length > 0) {
    return {
      decision: 'fail',
      score: 0,
      groups,
      thresholds,
      reason: `critical metric failed: ${critical.map((m) => m.reason).join('; ')}`,
    };
  }
  // Nothing counted at all (every metric without data): no evidence either way, which is not a pass.
  if (groups.every((g) => g.noData) && classifications.every((m) => m.verdict === 'NoData')) {
    return {
      decision: 'inconclusive',
      score,
      groups,
      thresholds,
      reason: `inconclusive: no metric had data: ${classifications.map((m) => m.reason).join('; ')}`,
    };
  }
  const inconclusive = classifications.filter((m) => m.verdict === 'Inconclusive');
  if (inconclusive.length > 0) {
    return {
      decision: 'inconclusive',
      score,
      groups,
      thresholds,
      reason: `inconclusive: ${inconclusive.map((m) => m.reason).join('; ')}`,
    };
  }

  const failing = classifications.filter((m) => m.failed);
  const failingText = failing.length > 0 ? `; not passed: ${failing.map(describe).join(', ')}` : '';
  const shown = `score ${formatScore(score)}`;
  if (score >= thresholds.pass) {
    return {
      decision: 'pass',
      score,
      groups,
      thresholds,
      reason: `${shown} ≥ pass ${thresholds.pass}${failingText}`,
    };
  }
  if (score >= thresholds.marginal) {
    return {
      decision: 'marginal',
      score,
      groups,
      thresholds,
      reason: `${shown} < pass ${thresholds.pass} but ≥ marginal ${thresholds.marginal}: held for a person to promote${failingText}`,
    };
  }
  return {
    decision: 'fail',
    score,
    groups,
    thresholds,
    reason: `${shown} < marginal ${thresholds.marginal}${failingText}`,
  };
}

export interface IntervalOutcome {
  decision: JudgementDecision;
  reason: string;
}

export type InconclusiveAction =
  | { action: 'judged' }
  | { action: 'wait'; streak: number; limit: number; reason: string }
  | { action: 'fail'; streak: number; limit: number; reason: string };

/**
 * What a run of Inconclusive intervals means. `history` holds the outcomes of the analysis
 * intervals in order, the latest last. An interval that was judged: 'judged' (its own decision
 * applies). Otherwise the latest intervals were Inconclusive `streak` times in a row: below
 * `limit` keep waiting (the step neither advances nor counts a failed check), at `limit` fail.
 */
export function inconclusiveAction(history: readonly IntervalOutcome[], limit: number): InconclusiveAction {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`the inconclusive limit must be a whole number ≥ 1, got ${limit}`);
  }
  let streak = 0;
  while (streak < history.length && history[history.length - 1 - streak].decision === 'inconclusive')
    streak++;
  if (streak === 0) return { action: 'judged' };
  const latest = history[history.length - 1].reason;
  if (streak >= limit) {
    return {
      action: 'fail',
      streak,
      limit,
      reason: `inconclusive for ${streak} consecutive intervals (limit ${limit}): ${latest}`,
    };
  }
  return {
    action: 'wait',
    streak,
    limit,
    reason: `inconclusive ${streak} of ${limit} intervals, waiting for more data: ${latest}`,
  };
}
