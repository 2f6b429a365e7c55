/**
 * A sample release for looking at the report (hack/render-report-png.sh) and for tests: five
 * intervals of a canary whose latency drifts above its control's until the judge fails it,
 * with two threshold metrics that pass throughout. Built with the real judge, fixed data only.
 */
import { classifyMetric } from '../judge/classify.ts';
import { judgeInterval } from '../judge/score.ts';
import { comparisonRecord, judgementRecord, type ReleaseReportInput, type ReportInterval } from './model.ts';

const START = Date.parse('2026-03-14T09:00:00Z');
const MINUTE = 60_000;

/** Twenty latencies between 95 and 105 ms, scaled. */
function latencies(factor: number): number[] {
  return Array.from({ length: 20 }, (_, k) => (100 + (((k + 1) * 7) % 11) - 5) * factor);
}

export function sampleReleaseReport(): ReleaseReportInput {
  const steps = [
    { weight: 10, observed: 9.6, factor: 1.0, success: 99.9, duration: 212 },
    { weight: 20, observed: 19.1, factor: 1.02, success: 99.8, duration: 230 },
    { weight: 30, observed: 31.2, factor: 1.06, success: 99.7, duration: 260 },
    { weight: 40, observed: 38.7, factor: 1.3, success: 99.6, duration: 318 },
    // A failed check keeps the weight (Flagger's rule); the second one reaches the threshold of 2.
    { weight: 40, observed: 40.4, factor: 1.31, success: 99.5, duration: 331 },
  ];
  const intervals: ReportInterval[] = steps.map((step, k) => {
    const latency = classifyMetric(
      { name: 'latency', unit: 'ms', allowedIncrease: 1.1 },
      latencies(step.factor),
      latencies(1),
    );
    const judgement = judgeInterval([{ classification: latency }], {
      thresholds: { pass: 75, marginal: 50 },
    });
    return {
      at: new Date(START + (k + 1) * MINUTE).toISOString(),
      weight: step.weight,
      observedWeight: step.observed,
      metrics: [
        {
          kind: 'threshold',
          metric: 'request-success-rate',
          unit: '%',
          value: step.success,
          min: 99,
          verdict: 'Pass',
          reason: `request-success-rate ${step.success}% ≥ min 99%`,
        },
        {
          kind: 'threshold',
          metric: 'request-duration',
          unit: 'ms',
          value: step.duration,
          max: 500,
          verdict: 'Pass',
          reason: `request-duration ${step.duration} ms ≤ max 500 ms`,
        },
        comparisonRecord(latency, 'ms'),
      ],
      judgement: judgementRecord(judgement),
    };
  });
  const failure = intervals[intervals.length - 1].judgement?.reason ?? 'the judge failed the canary';
  return {
    canary: { name: 'podinfo', namespace: 'shop' },
    revision: '7d9f6c5b8',
    startedAt: new Date(START).toISOString(),
    finishedAt: new Date(START + 5 * MINUTE + 20_000).toISOString(),
    outcome: 'Failed',
    reason: `rolled back after 2 failed checks: ${failure}`,
    intervals,
  };
}
