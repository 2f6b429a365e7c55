/**
 * status.analysis: what each analysis interval of the release measured and decided, kept for the current
 * release and bounded (the release report and `kanaria get` read it).
 */
import { MAX_RECORDED_INTERVALS, type IntervalRecord, type MetricCheckRecord } from '../api/analysis.ts';
import { judgementRecord } from '../judge/record.ts';
import type { Decision } from './context.ts';
import type { JudgeStep } from './judge.ts';
import type { CheckResult } from './model.ts';

function observedWeight(analysis: readonly CheckResult[]): number | undefined {
  const split = analysis.find((c) => c.kind === 'split')?.split;
  if (!split || split.total === 0) return undefined;
  return Math.round((1000 * split.canary) / split.total) / 10;
}

/**
 * Appends this interval to status.analysis (a new record when the release changed), keeping the latest
 * MAX_RECORDED_INTERVALS. Analyses of webhooks alone record nothing: they have no values to show.
 */
export function recordInterval(
  d: Decision,
  analysis: readonly CheckResult[],
  step: JudgeStep | undefined,
): void {
  const metrics: MetricCheckRecord[] = analysis.flatMap((c) => (c.record ? [c.record] : []));
  const observed = observedWeight(analysis);
  if (metrics.length === 0 && observed === undefined) return;
  const status = d.status;
  const interval: IntervalRecord = {
    at: d.nowIso,
    weight: status.canaryWeight ?? 0,
    ...(observed !== undefined ? { observedWeight: observed } : {}),
    metrics,
  };
  if (step) {
    const judgement = judgementRecord(step.judgement);
    interval.judgement =
      step.kind === 'wait'
        ? { ...judgement, reason: step.reason }
        : step.kind === 'give-up'
          ? { ...judgement, reason: step.failed.message }
          : judgement;
  }
  const revision = status.revision ?? '';
  const earlier = status.analysis?.revision === revision ? status.analysis : undefined;
  const intervals = [...(earlier?.intervals ?? []), interval];
  const dropped = Math.max(0, intervals.length - MAX_RECORDED_INTERVALS);
  const omitted = (earlier?.omittedIntervals ?? 0) + dropped;
  const streak = step?.kind === 'wait' || step?.kind === 'give-up' ? step.streak : 0;
  status.analysis = {
    revision,
    intervals: intervals.slice(dropped),
    ...(omitted > 0 ? { omittedIntervals: omitted } : {}),
    ...(streak > 0 ? { inconclusiveIntervals: streak } : {}),
    ...(earlier?.held ? { held: earlier.held } : {}),
  };
}

/** The reason and values of the failed checks, for the rollback alert and its Slack fields. */
export function measurementOf(check: CheckResult) {
  const record = check.record;
  const base = { name: check.name, message: check.message };
  if (!record) return { ...base, ...(Number.isFinite(check.value) ? { value: check.value } : {}) };
  const unit = record.unit ? ` ${record.unit}` : '';
  if (record.kind === 'threshold') {
    const bounds = [
      ...(record.min !== undefined ? [`min ${record.min}${unit}`] : []),
      ...(record.max !== undefined ? [`max ${record.max}${unit}`] : []),
    ];
    return {
      ...base,
      ...(record.value !== undefined ? { value: record.value } : {}),
      ...(bounds.length ? { threshold: bounds.join(', ') } : {}),
      verdict: record.verdict,
    };
  }
  return {
    ...base,
    ...(record.canary !== undefined ? { value: record.canary } : {}),
    ...(record.control !== undefined
      ? { threshold: `control ${Number(record.control.toPrecision(4))}${unit}` }
      : {}),
    verdict: record.verdict,
  };
}
