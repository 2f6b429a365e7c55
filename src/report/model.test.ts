import { describe, expect, it } from 'vitest';
import { classifyMetric, type MetricClassification } from '../judge/classify.ts';
import { judgeInterval } from '../judge/score.ts';
import { comparisonRecord, judgementRecord, reportMetrics } from './model.ts';
import { sampleReleaseReport } from './sample.ts';

const control = Array.from({ length: 20 }, (_, k) => 100 + (((k + 1) * 7) % 11) - 5);

describe('comparisonRecord', () => {
  it('keeps the statistics of a judged metric', () => {
    const latency = classifyMetric(
      { name: 'latency', allowedIncrease: 1.1 },
      control.map((v) => v * 1.3),
      control,
    );
    const record = comparisonRecord(latency, 'ms');
    expect(record).toMatchObject({ kind: 'control', metric: 'latency', unit: 'ms', verdict: 'High' });
    expect(record.canary).toBeCloseTo(130.39, 2);
    expect(record.control).toBeCloseTo(100.3, 2);
    expect(record.estimate).toBeCloseTo(30.1, 3);
    expect(record.interval!.lower).toBeCloseTo(27, 3);
    expect(record.interval!.upper).toBeCloseTo(33.2, 3);
    expect(record.confidenceLevel).toBe(0.98);
    expect(record.pValue).toBeCloseTo(6.625e-8, 10);
    expect(record.effectSize).toBeCloseTo(1.3, 12);
    expect(record.reason).toBe(latency.reason);
    expect(JSON.parse(JSON.stringify(record))).toStrictEqual(record);
  });

  it('leaves out what a metric without data does not have', () => {
    const record = comparisonRecord(classifyMetric({ name: 'errors', required: true }, [], control));
    expect(record).toStrictEqual({
      kind: 'control',
      metric: 'errors',
      canarySize: 0,
      controlSize: 20,
      verdict: 'NoData',
      reason: expect.stringContaining('no data from the canary') as unknown as string,
    });
  });

  it('leaves out an interval with an open end, which JSON cannot hold', () => {
    const oneSided: MetricClassification = {
      metric: 'm',
      verdict: 'High',
      failed: true,
      critical: false,
      statistics: {
        canarySize: 5,
        controlSize: 5,
        canaryDiscarded: 0,
        controlDiscarded: 0,
        test: {
          w: 25,
          pValue: 0.004,
          estimate: 3,
          interval: [1, Infinity],
          confLevel: 0.98,
          method: 'exact',
        },
      },
      reason: 'r',
    };
    const record = comparisonRecord(oneSided);
    expect(record.interval).toBeUndefined();
    expect(record.estimate).toBe(3);
  });
});

describe('the report input', () => {
  it('is plain JSON: a round trip gives it back unchanged', () => {
    const report = sampleReleaseReport();
    expect(JSON.parse(JSON.stringify(report))).toStrictEqual(report);
  });

  it('takes the judge’s decision and score', () => {
    const judgement = judgeInterval([{ classification: classifyMetric({ name: 'a' }, control, control) }]);
    expect(judgementRecord(judgement)).toStrictEqual({
      decision: 'pass',
      score: 100,
      reason: 'score 100 ≥ pass 75',
    });
  });

  it('lists metrics in the order they first appear', () => {
    const metrics = reportMetrics([
      {
        at: '2026-03-14T09:01:00Z',
        weight: 10,
        metrics: [{ kind: 'threshold', metric: 'b', unit: '%', verdict: 'Pass' }],
      },
      {
        at: '2026-03-14T09:02:00Z',
        weight: 20,
        metrics: [
          { kind: 'control', metric: 'a', verdict: 'NoData' },
          { kind: 'threshold', metric: 'b', verdict: 'High' },
        ],
      },
    ]);
    expect(metrics).toEqual([
      { metric: 'b', kind: 'threshold', unit: '%' },
      { metric: 'a', kind: 'control', unit: undefined },
    ]);
  });
});
