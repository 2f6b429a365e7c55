/**
 * A compared metric (metrics[].compare): the same query run over the judge's lookback for the canary and for
 * the control (the primary, or the baseline with analysis.judge.baseline), each point of each returned series one sample, judged by the Mann-Whitney
 * classifier (src/judge/classify.ts). Every failure is a failed check with a message, never a throw; an
 * aborted signal rejects (no verdict).
 */
import type { ControlComparison, JudgeSpec } from '../api/analysis.ts';
import { JUDGE_DEFAULTS, metricUnit } from '../api/analysis.ts';
import { parseDuration } from '../api/duration.ts';
import type { CanaryMetric } from '../api/types.ts';
import type { CheckResult } from '../engine/model.ts';
import { classifyMetric } from '../judge/classify.ts';
import { comparisonRecord } from '../judge/record.ts';
import { queryVars, resolveQuery, type MetricCheckCanary } from './metrics/evaluate.ts';
import type { MetricProvider, SampleRange } from './metrics/provider.ts';
import type { QueryVars } from './metrics/query.ts';

export interface ComparisonInput {
  metric: CanaryMetric;
  judge: JudgeSpec | undefined;
  /** The analysis interval: the lookback when the judge sets none. */
  analysisInterval: string;
  canary: MetricCheckCanary;
  provider: MetricProvider;
  templateQuery?: string;
  now: number;
  signal?: AbortSignal;
}

/** The range the samples of one interval come from: the lookback up to now, at the sample step. */
export function sampleRange(
  judge: JudgeSpec | undefined,
  analysisInterval: string,
  now: number,
): SampleRange {
  const lookbackMs = parseDuration(judge?.lookback ?? analysisInterval);
  const stepMs = judge?.sampleStep
    ? parseDuration(judge.sampleStep)
    : Math.max(JUDGE_DEFAULTS.minStepMs, lookbackMs / JUDGE_DEFAULTS.samplesPerLookback);
  const stepSeconds = Math.max(1, Math.round(stepMs / 1000));
  return { startMs: now - lookbackMs, endMs: now, stepSeconds };
}

async function samplesOf(
  input: ComparisonInput,
  side: 'canary' | 'control',
  range: SampleRange,
): Promise<number[]> {
  const { metric } = input;
  const control = input.judge?.baseline === true ? 'baseline' : 'primary';
  const canary = { ...input.canary, control } as const;
  const vars: QueryVars = {
    // Each sample is the rate over one step unless the metric says otherwise.
    ...queryVars(canary, metric, metric.interval || `${range.stepSeconds}s`),
    workload: side === 'canary' ? canary.target : `${canary.target}-${control}`,
    side,
  };
  const query = resolveQuery({ metric, canary, templateQuery: input.templateQuery }, vars);
  return input.provider.runRangeQuery!(query, range, input.signal);
}

export async function runComparison(input: ComparisonInput): Promise<CheckResult> {
  const { metric, judge, provider } = input;
  const compare = metric.compare ?? {};
  const base = { kind: 'compare' as const, name: metric.name };
  if (!provider.runRangeQuery) {
    return {
      ...base,
      ok: false,
      message: `metric ${metric.name}: a compared metric needs samples over time, which only a prometheus provider returns`,
      record: errorRecord(metric, 'a compared metric needs a prometheus provider'),
    };
  }
  const range = sampleRange(judge, input.analysisInterval, input.now);
  let samples: [number[], number[]];
  try {
    samples = await Promise.all([samplesOf(input, 'canary', range), samplesOf(input, 'control', range)]);
  } catch (err) {
    input.signal?.throwIfAborted();
    const message = `metric ${metric.name}: ${(err as Error).message}`;
    return { ...base, ok: false, message, record: errorRecord(metric, message) };
  }
  input.signal?.throwIfAborted();
  const classification = classifyMetric(
    {
      name: metric.name,
      unit: metricUnit(metric),
      direction: compare.direction,
      allowedIncrease: compare.allowedIncrease,
      allowedDecrease: compare.allowedDecrease,
      critical: compare.critical,
      criticalIncrease: compare.criticalIncrease,
      criticalDecrease: compare.criticalDecrease,
      required: compare.required,
      confidenceLevel: judge?.confidenceLevel,
      minSampleSize: compare.minSampleSize ?? judge?.minSampleSize,
    },
    samples[0],
    samples[1],
  );
  return {
    ...base,
    ok: !classification.failed,
    message: classification.reason,
    ...(classification.statistics.canaryMean !== undefined
      ? { value: classification.statistics.canaryMean }
      : {}),
    comparison: { classification, ...(compare.groups ? { groups: compare.groups } : {}) },
    record: comparisonRecord(classification, metricUnit(metric)),
  };
}

function errorRecord(metric: CanaryMetric, reason: string): ControlComparison {
  const unit = metricUnit(metric);
  return { kind: 'control', metric: metric.name, ...(unit ? { unit } : {}), verdict: 'Error', reason };
}
