/**
 * The Canary API of the canary-versus-control judge (docs/judge.md): which metrics are compared and how,
 * the interval's score thresholds, and the record of every analysis interval of the current release that
 * status keeps (the release report is drawn from it).
 */
import type { Direction, MetricVerdict } from '../judge/classify.ts';
import type { JudgementDecision } from '../judge/score.ts';

/** `metrics[].compare`: judge this metric's canary series against the primary's instead of a fixed range. */
export interface MetricComparison {
  /** Which change fails the metric; default either. */
  direction?: Direction;
  /** Canary mean / control mean at or above which a significant increase fails; default 1. */
  allowedIncrease?: number;
  /** Canary mean / control mean at or below which a significant decrease fails; default 1. */
  allowedDecrease?: number;
  /** A High or Low fails the whole check, whatever the score. */
  critical?: boolean;
  criticalIncrease?: number;
  criticalDecrease?: number;
  /** No data counts as a failed metric (and fails the check when critical). */
  required?: boolean;
  /** Groups the metric scores in (judge.groupWeights); `default` when none. */
  groups?: string[];
  /** Fewer samples than this on either side is Inconclusive; default judge.minSampleSize. */
  minSampleSize?: number;
}

export interface ScoreThresholdsSpec {
  pass: number;
  marginal: number;
}

/** `analysis.judge`: how compared metrics are sampled and scored. */
export interface JudgeSpec {
  /** Range the samples of an interval are taken from; default the analysis interval. */
  lookback?: string;
  /** Spacing of the samples in the range; default lookback / 10, at least 1s. */
  sampleStep?: string;
  /** Two-sided confidence level of the shift's interval; default 0.98. */
  confidenceLevel?: number;
  /** Default of the metrics' minSampleSize; 5. */
  minSampleSize?: number;
  /** Score ≥ pass passes, ≥ marginal holds the release for a person; default 75 / 50. */
  thresholds?: ScoreThresholdsSpec;
  /** Weight per group (summing to 100 with the groups that have none sharing the rest). */
  groupWeights?: Record<string, number>;
  /** Consecutive Inconclusive intervals that fail the release; default 3. */
  inconclusiveLimit?: number;
  /**
   * Compare the canary with a baseline instead of the primary: Deployment `<target>-baseline`, running the
   * primary's pod template at the canary's size, started with the canary and given the canary's weight
   * (Gateway API only, maxWeight at most 50; docs/judge.md).
   */
  baseline?: boolean;
}

export const JUDGE_DEFAULTS = { inconclusiveLimit: 3, samplesPerLookback: 10, minStepMs: 1000 } as const;

/** Pass, High, Low, NoData, Inconclusive, or Error: the check could not run. */
export type RecordVerdict = MetricVerdict | 'Error';

/** A metric checked against fixed bounds (`threshold` / `thresholdRange`). */
export interface ThresholdCheck {
  kind: 'threshold';
  metric: string;
  unit?: string;
  /** The measured value; absent when the query returned none or failed. */
  value?: number;
  min?: number;
  max?: number;
  verdict: RecordVerdict;
  reason?: string;
}

/** A metric judged against the control; statistics are absent without data. */
export interface ControlComparison {
  kind: 'control';
  metric: string;
  unit?: string;
  /** Means of the canary's and the control's samples. */
  canary?: number;
  control?: number;
  canarySize?: number;
  controlSize?: number;
  /** Hodges-Lehmann estimate of the shift canary − control, and its confidence interval. */
  estimate?: number;
  interval?: { lower: number; upper: number };
  confidenceLevel?: number;
  pValue?: number;
  /** Mann-Whitney W (the canary's U). */
  w?: number;
  /** Canary mean / control mean. */
  effectSize?: number;
  verdict: RecordVerdict;
  reason?: string;
}

export type MetricCheckRecord = ThresholdCheck | ControlComparison;

export interface IntervalJudgement {
  decision: JudgementDecision;
  score: number;
  reason?: string;
}

/** One analysis interval of a release. */
export interface IntervalRecord {
  /** When the interval's analysis ran (its end). */
  at: string;
  /** The canary weight in force during the interval that ends at `at`. */
  weight: number;
  /** The canary's share of requests measured at the data plane over the interval, percent. */
  observedWeight?: number;
  metrics: MetricCheckRecord[];
  judgement?: IntervalJudgement;
}

/** `status.analysis`: the record of the current (or last) release's analysis. */
export interface AnalysisRecord {
  /** The release (status.revision) the record is about. */
  revision: string;
  /** The latest intervals, oldest first, at most MAX_RECORDED_INTERVALS. */
  intervals: IntervalRecord[];
  /** Earlier intervals left out to keep status small. */
  omittedIntervals?: number;
  /** Consecutive Inconclusive intervals up to now. */
  inconclusiveIntervals?: number;
  /** Set when a marginal score holds the release for a person: why, and since when. */
  held?: { reason: string; since: string };
}

export const MAX_RECORDED_INTERVALS = 20;

/** Units of the built-in metrics, shown after their values. */
const BUILTIN_UNITS: Record<string, string> = { 'request-success-rate': '%', 'request-duration': 'ms' };

/** The unit shown after a metric's values: its own, or the built-in metric's. */
export function metricUnit(metric: { name: string; unit?: string }): string | undefined {
  return metric.unit ?? BUILTIN_UNITS[metric.name];
}
