import { describe, expect, it } from 'vitest';
import type { CanaryMetric } from '../api/types.ts';
import { classifyMetric } from '../judge/classify.ts';
import { comparisonRecord } from '../judge/record.ts';
import { measurementOf } from './interval-record.ts';
import type { CheckResult } from './model.ts';
import { baseSpec, newWorld, runUntil, step, type Checker, type World } from './testing/world.ts';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const latencyMetric: CanaryMetric = {
  name: 'latency',
  query: 'q',
  unit: 'ms',
  compare: { direction: 'increase', allowedIncrease: 1.1 },
};

function values(center: number, n = 12): number[] {
  return Array.from({ length: n }, (_, k) => center + (((k + 1) * 7) % 11) - 5);
}

/** The analysis stage's compared metric, as the shell's check runner would return it. */
function compared(canary: number[], control: number[], name = 'latency'): CheckResult {
  const classification = classifyMetric(
    { name, unit: 'ms', direction: 'increase', allowedIncrease: 1.1 },
    canary,
    control,
  );
  return {
    kind: 'compare',
    name,
    ok: !classification.failed,
    message: classification.reason,
    value: classification.statistics.canaryMean,
    comparison: { classification },
    record: comparisonRecord(classification, 'ms'),
  };
}

function checker(analysis: () => CheckResult[]): Checker {
  return (stage) => (stage === 'analysis' ? analysis() : []);
}

function released(world: World, checks: Checker): number {
  const t = runUntil(world, T0, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
  world.targetHash = 'v2';
  return runUntil(world, t + 1, (x) => (x.status.canaryWeight ?? 0) > 0, checks);
}

function judgeWorld(overrides: Parameters<typeof baseSpec>[0] = {}): World {
  return newWorld(baseSpec({ metrics: [latencyMetric], threshold: 2, ...overrides }));
}

describe('the judge in the release', () => {
  it('advances while the canary is like its control, recording every interval with its statistics', () => {
    const w = judgeWorld();
    const same = checker(() => [compared(values(100), values(100.5))]);
    const t = released(w, same);
    runUntil(w, t, (x) => x.status.phase === 'Succeeded', same);
    expect(w.weights).toEqual([10, 20, 30, 40, 50, 0]);
    const record = w.status.analysis!;
    expect(record.revision).toBe(w.status.revision);
    expect(record.intervals.map((i) => i.weight)).toEqual([10, 20, 30, 40, 50]);
    expect(record.intervals.every((i) => i.judgement?.decision === 'pass')).toBe(true);
    const latency = record.intervals[0].metrics[0];
    expect(latency).toMatchObject({ kind: 'control', metric: 'latency', verdict: 'Pass', canarySize: 12 });
  });

  it('counts a High as a failed check and rolls back at the threshold, the alert naming metric, values and verdict', () => {
    const w = judgeWorld();
    const slower = checker(() => [compared(values(130), values(100))]);
    const t = released(w, slower);
    runUntil(w, t, (x) => x.status.phase === 'Failed', slower);
    expect(w.weights).toEqual([10, 0]);
    expect(w.status.failedChecks).toBe(2);
    expect(w.status.message).toMatch(/^judge: score 0 < marginal 50; not passed: latency High/);
    const halts = w.events.filter((e) => e.message.startsWith('Halt advancement'));
    expect(halts[0].message).toMatch(
      /latency: canary higher than control: estimate \+30 ms .* effect 1\.30× ≥ allowed 1\.10×/,
    );
    const [interval] = w.status.analysis!.intervals.slice(-1);
    expect(interval.judgement).toMatchObject({ decision: 'fail', score: 0 });
    const latency = interval.metrics[0];
    expect(latency).toMatchObject({ kind: 'control', verdict: 'High' });
    expect(latency.kind === 'control' && latency.canary! / latency.control!).toBeCloseTo(1.3, 1);
    const alert = measurementOf({ ...slower('analysis')[0] });
    expect(alert).toMatchObject({
      name: 'latency',
      verdict: 'High',
      threshold: expect.stringMatching(/^control 10\d(\.\d+)? ms$/),
    });
    expect(alert.value).toBeGreaterThan(125);
  });

  it('a critical High fails the check whatever the score', () => {
    const critical = { ...latencyMetric, compare: { ...latencyMetric.compare, critical: true } };
    const w = newWorld(baseSpec({ metrics: [critical], threshold: 1 }));
    const slower = checker(() => {
      const result = compared(values(130), values(100));
      const classification = classifyMetric(
        { name: 'latency', unit: 'ms', direction: 'increase', allowedIncrease: 1.1, critical: true },
        values(130),
        values(100),
      );
      return [{ ...result, comparison: { classification } }];
    });
    const t = released(w, slower);
    runUntil(w, t, (x) => x.status.phase === 'Failed', slower);
    expect(w.status.message).toMatch(/^judge: critical metric failed: latency \(critical\)/);
  });

  it('holds a marginal score at WaitingPromotion until a person promotes, analysing on meanwhile', () => {
    // Two groups, one passing and one failing: score 50, marginal (50 ≤ score < 75).
    const w = newWorld(
      baseSpec({
        threshold: 3,
        metrics: [latencyMetric, { ...latencyMetric, name: 'cpu' }],
      }),
    );
    const split = checker(() => [
      compared(values(100), values(100)),
      compared(values(130), values(100), 'cpu'),
    ]);
    const t = released(w, split);
    const held = runUntil(w, t, (x) => x.status.phase === 'WaitingPromotion', split);
    expect(w.status.analysis?.held?.reason).toMatch(/score 50 < pass 75 but ≥ marginal 50/);
    expect(
      w.events.some((e) => e.message.startsWith('Marginal score: waiting for a person to promote')),
    ).toBe(true);
    // Ten more intervals: still held at the same weight, no failed check counted.
    let now = held;
    for (let i = 0; i < 10; i++) now += step(w, now, split).requeueAfterMs ?? 1000;
    expect(w.status.phase).toBe('WaitingPromotion');
    expect(w.weights).toEqual([10]);
    expect(w.status.failedChecks ?? 0).toBe(0);
    // `kanaria promote` approves the revision: the release goes on through its steps, marginal or not.
    w.requests.approve = w.status.revision;
    now += step(w, now, split).requeueAfterMs ?? 1000;
    expect(w.status.phase).toBe('Progressing');
    runUntil(w, now, (x) => x.status.phase === 'Succeeded', split);
    expect(w.weights).toEqual([10, 20, 30, 40, 50, 0]);
    expect(w.promotions).toHaveLength(2);
  });

  it('waits on Inconclusive intervals without advancing or counting, then fails at the limit with that reason', () => {
    const w = judgeWorld({ judge: { inconclusiveLimit: 3 }, threshold: 5 });
    const quiet = checker(() => [compared(values(100, 3), values(100))]);
    const t = released(w, quiet);
    runUntil(w, t, (x) => x.status.phase === 'Failed', quiet);
    expect(w.weights).toEqual([10, 0]);
    expect(w.status.failedChecks ?? 0).toBe(0);
    expect(w.status.message).toMatch(
      /^inconclusive for 3 consecutive intervals \(limit 3\): inconclusive: latency: too few values to judge \(canary 3, control 12 values; at least 5 needed on each side\)/,
    );
    const decisions = w.status.analysis!.intervals.map((i) => i.judgement?.decision);
    expect(decisions).toEqual(['inconclusive', 'inconclusive', 'inconclusive']);
    expect(w.outcomes).toEqual(['rolled-back']);
  });

  it('keeps the latest 20 intervals and counts the ones left out', () => {
    const w = judgeWorld({ stepWeight: 1, maxWeight: 30 });
    const same = checker(() => [compared(values(100), values(100.5))]);
    const t = released(w, same);
    runUntil(w, t, (x) => x.status.phase === 'Succeeded', same, 400);
    const record = w.status.analysis!;
    expect(record.intervals).toHaveLength(20);
    expect(record.intervals.map((i) => i.weight)).toEqual(Array.from({ length: 20 }, (_, k) => k + 11));
    expect(record.omittedIntervals).toBe(10);
  });
});
