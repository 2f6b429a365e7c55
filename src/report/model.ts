/**
 * What a release report shows: one release of one Canary and the record of each analysis interval.
 * An interval record is what a bounded status history per release would keep, so the history maps
 * onto `intervals` as it is. Plain JSON: ISO time strings, no Dates, no Infinity, no Maps.
 */
export { comparisonRecord, judgementRecord } from '../judge/record.ts';

import type { IntervalRecord, MetricCheckRecord, RecordVerdict } from '../api/analysis.ts';

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
