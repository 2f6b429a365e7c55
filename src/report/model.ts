/**
 * What a release report shows: one release of one Canary and the record of each analysis interval.
 * An interval record is what a bounded status history per release would keep, so the history maps
 * onto `intervals` as it is. Plain JSON: ISO time strings, no Dates, no Infinity, no Maps.
 */
import type { MetricClassification } from '../judge/classify.ts';
import type { Judgement } from '../judge/score.ts';

import type {
  ControlComparison,
  IntervalJudgement,
  IntervalRecord,
  MetricCheckRecord,
  RecordVerdict,
} from '../api/analysis.ts';

export type {
  ControlComparison,
  IntervalJudgement,
  MetricCheckRecord,
  ThresholdCheck,
} from '../api/analysis.ts';
/** Pass, High (above max / canary higher), Low, NoData, Inconclusive, or Error: the check could not run. */
export type ReportVerdict = RecordVerdict;
/** One analysis interval, as status.analysis keeps it. */
export type ReportInterval = IntervalRecord;

export const REPORT_VERDICTS: readonly ReportVerdict[] = [
  'Pass',
  'High',
  'Low',
  'NoData',
  'Inconclusive',
  'Error',
];

export type ReleaseOutcome = 'Succeeded' | 'Failed' | 'InProgress';

export interface ReleaseReportInput {
  canary: { name: string; namespace: string };
  /** The revision (template and tracked configs) the release is about. */
  revision?: string;
  startedAt: string;
  /** Absent while the release is in progress. */
  finishedAt?: string;
  outcome: ReleaseOutcome;
  /** Why the release ended as it did, or what it waits for. */
  reason?: string;
  /** In time order. */
  intervals: ReportInterval[];
}

/** The record of a judge's classification, with what JSON can hold (an open interval end is left out). */
export function comparisonRecord(classification: MetricClassification, unit?: string): ControlComparison {
  const { statistics, verdict, reason, metric } = classification;
  const test = statistics.test;
  const interval =
    test && Number.isFinite(test.interval[0]) && Number.isFinite(test.interval[1])
      ? { lower: test.interval[0], upper: test.interval[1] }
      : undefined;
  return {
    kind: 'control',
    metric,
    ...(unit ? { unit } : {}),
    ...(statistics.canaryMean !== undefined ? { canary: statistics.canaryMean } : {}),
    ...(statistics.controlMean !== undefined ? { control: statistics.controlMean } : {}),
    canarySize: statistics.canarySize,
    controlSize: statistics.controlSize,
    ...(test
      ? { estimate: test.estimate, confidenceLevel: test.confLevel, pValue: test.pValue, w: test.w }
      : {}),
    ...(interval ? { interval } : {}),
    ...(statistics.effectSize !== undefined ? { effectSize: statistics.effectSize } : {}),
    verdict,
    reason,
  };
}

export function judgementRecord(judgement: Judgement): IntervalJudgement {
  return { decision: judgement.decision, score: judgement.score, reason: judgement.reason };
}

/** Metric names in the order they first appear, with the kind and unit of their first record. */
export function reportMetrics(
  intervals: readonly ReportInterval[],
): { metric: string; kind: MetricCheckRecord['kind']; unit?: string }[] {
  const seen = new Map<string, { metric: string; kind: MetricCheckRecord['kind']; unit?: string }>();
  for (const interval of intervals) {
    for (const check of interval.metrics) {
      if (!seen.has(check.metric))
        seen.set(check.metric, { metric: check.metric, kind: check.kind, unit: check.unit });
    }
  }
  return [...seen.values()];
}
