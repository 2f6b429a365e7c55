import { describe, expect, it } from 'vitest';
import type { MetricClassification, MetricVerdict } from './classify.ts';
import {
  inconclusiveAction,
  judgeInterval,
  resolveGroupWeights,
  type GroupedClassification,
} from './score.ts';

function metric(
  name: string,
  verdict: MetricVerdict,
  groups: string[] = ['group'],
  extra: Partial<MetricClassification> = {},
): GroupedClassification {
  const failed = verdict === 'High' || verdict === 'Low';
  return {
    groups,
    classification: {
      metric: name,
      verdict,
      failed,
      critical: false,
      statistics: { canarySize: 20, controlSize: 20, canaryDiscarded: 0, controlDiscarded: 0 },
      reason: `${name}: ${verdict}`,
      ...extra,
    },
  };
}

describe('judgeInterval: the cases of Kayenta ScorerSuite.scala (WeightedSumScorer)', () => {
  it('one metric: Pass scores 100, High scores 0', () => {
    expect(judgeInterval([metric('a', 'Pass')]).score).toBe(100);
    expect(judgeInterval([metric('a', 'High')]).score).toBe(0);
  });

  it('one group: Pass + High = 50, Pass + High + Low = 33.33', () => {
    expect(judgeInterval([metric('a', 'Pass'), metric('b', 'High')]).score).toBe(50);
    expect(judgeInterval([metric('a', 'Pass'), metric('b', 'High'), metric('c', 'Low')]).score).toBe(33.33);
  });

  it('weights 75/25: two passes in the first group, a High in the second = 75', () => {
    const judgement = judgeInterval(
      [metric('a', 'Pass', ['group-1']), metric('b', 'Pass', ['group-1']), metric('c', 'High', ['group-2'])],
      { groupWeights: { 'group-1': 75, 'group-2': 25 } },
    );
    expect(judgement.score).toBe(75);
    expect(judgement.decision).toBe('pass');
  });

  it('weights 50/50: Pass + High in one group, High in the other = 25', () => {
    const judgement = judgeInterval(
      [metric('a', 'Pass', ['group-1']), metric('b', 'High', ['group-1']), metric('c', 'High', ['group-2'])],
      { groupWeights: { 'group-1': 50, 'group-2': 50 } },
    );
    expect(judgement.score).toBe(25);
    expect(judgement.decision).toBe('fail');
  });

  it('a group with only NoData (not required) takes its full weight', () => {
    const judgement = judgeInterval([
      metric('a', 'Pass', ['pass']),
      metric('b', 'Pass', ['pass']),
      metric('c', 'NoData', ['nodata']),
    ]);
    expect(judgement.score).toBe(100);
    expect(judgement.groups.find((g) => g.group === 'nodata')).toMatchObject({ noData: true, weight: 50 });
  });

  it('every metric without data is no evidence: inconclusive, not a pass', () => {
    const judgement = judgeInterval([metric('a', 'NoData', ['x']), metric('b', 'NoData', ['y'])]);
    expect(judgement.decision).toBe('inconclusive');
    expect(judgement.reason).toMatch(/^inconclusive: no metric had data: /);
  });
});

describe('judgeInterval: decisions and reasons', () => {
  it('pass ≥ 75, marginal ≥ 50, fail below (Kayenta schema example 75/50)', () => {
    const metrics = (verdicts: MetricVerdict[]) => verdicts.map((v, i) => metric(`m${i}`, v));
    expect(judgeInterval(metrics(['Pass', 'Pass', 'Pass', 'High'])).decision).toBe('pass'); // 75
    const marginal = judgeInterval(metrics(['Pass', 'Pass', 'High']));
    expect(marginal).toMatchObject({ decision: 'marginal', score: 66.67 });
    expect(marginal.reason).toBe(
      'score 66.67 < pass 75 but ≥ marginal 50: held for a person to promote; not passed: m2 High',
    );
    const failed = judgeInterval(metrics(['Pass', 'High', 'Low']));
    expect(failed).toMatchObject({ decision: 'fail', score: 33.33 });
    expect(failed.reason).toBe('score 33.33 < marginal 50; not passed: m1 High, m2 Low');
  });

  it('configured thresholds', () => {
    const judgement = judgeInterval([metric('a', 'Pass'), metric('b', 'High')], {
      thresholds: { pass: 50, marginal: 25 },
    });
    expect(judgement.decision).toBe('pass');
    expect(() => judgeInterval([metric('a', 'Pass')], { thresholds: { pass: 50, marginal: 60 } })).toThrow(
      /marginal ≤ pass/,
    );
  });

  it('a critical failure fails the whole check with score 0, whatever the others', () => {
    const metrics = [
      metric('a', 'Pass'),
      metric('b', 'Pass'),
      metric('c', 'Pass'),
      metric('errors', 'High', ['group'], { critical: true, reason: 'errors (critical): canary higher' }),
    ];
    expect(judgeInterval(metrics)).toMatchObject({
      decision: 'fail',
      score: 0,
      reason: 'critical metric failed: errors (critical): canary higher',
    });
  });

  it('a required NoData counts as a failed metric', () => {
    const judgement = judgeInterval([
      metric('a', 'Pass'),
      metric('b', 'NoData', ['group'], { failed: true }),
    ]);
    expect(judgement.score).toBe(50);
    expect(judgement.reason).toContain('not passed: b NoData (required)');
  });

  it('an Inconclusive metric makes the interval inconclusive unless a critical metric failed', () => {
    const judgement = judgeInterval([metric('a', 'Pass'), metric('b', 'Inconclusive')]);
    expect(judgement).toMatchObject({ decision: 'inconclusive', reason: 'inconclusive: b: Inconclusive' });
    const critical = judgeInterval([
      metric('a', 'High', ['group'], { critical: true }),
      metric('b', 'Inconclusive'),
    ]);
    expect(critical.decision).toBe('fail');
  });

  it('metrics without a group count in the default group', () => {
    const judgement = judgeInterval([metric('a', 'Pass', []), metric('b', 'High', [])]);
    expect(judgement.groups).toMatchObject([{ group: 'default', score: 50, weight: 100 }]);
  });

  it('refuses to judge nothing', () => {
    expect(() => judgeInterval([])).toThrow(/at least one metric/);
  });
});

describe('resolveGroupWeights', () => {
  it('unweighted groups share the rest of 100', () => {
    expect([...resolveGroupWeights(['a', 'b', 'c'], { a: 40 })]).toEqual([
      ['a', 40],
      ['b', 30],
      ['c', 30],
    ]);
  });

  it('rejects weights that cannot sum to 100, or name a group without metrics', () => {
    expect(() => resolveGroupWeights(['a', 'b'], { a: 60, b: 30 })).toThrow(/sum to 100/);
    expect(() => resolveGroupWeights(['a', 'b'], { a: 120 })).toThrow(/sum to 100/);
    expect(() => resolveGroupWeights(['a'], { a: 100, z: 0 })).toThrow(/group z has a weight but no metric/);
    expect(() => resolveGroupWeights(['a'], { a: -1 })).toThrow(/≥ 0/);
  });
});

describe('inconclusiveAction', () => {
  const pass = { decision: 'pass' as const, reason: 'score 100 ≥ pass 75' };
  const inconclusive = (n: number) => ({
    decision: 'inconclusive' as const,
    reason: `latency: too few values ${n}`,
  });

  it('a judged interval is not a run of inconclusives', () => {
    expect(inconclusiveAction([], 3)).toEqual({ action: 'judged' });
    expect(inconclusiveAction([inconclusive(1), pass], 3)).toEqual({ action: 'judged' });
  });

  it('waits below the limit, counting only the latest consecutive inconclusives', () => {
    expect(
      inconclusiveAction([inconclusive(1), inconclusive(2), pass, inconclusive(3), inconclusive(4)], 3),
    ).toEqual({
      action: 'wait',
      streak: 2,
      limit: 3,
      reason: 'inconclusive 2 of 3 intervals, waiting for more data: latency: too few values 4',
    });
  });

  it('fails at the limit, with the latest reason', () => {
    expect(inconclusiveAction([pass, inconclusive(1), inconclusive(2), inconclusive(3)], 3)).toEqual({
      action: 'fail',
      streak: 3,
      limit: 3,
      reason: 'inconclusive for 3 consecutive intervals (limit 3): latency: too few values 3',
    });
    expect(inconclusiveAction([inconclusive(1)], 1).action).toBe('fail');
  });

  it('rejects a limit that is not a whole number ≥ 1', () => {
    expect(() => inconclusiveAction([], 0)).toThrow(RangeError);
    expect(() => inconclusiveAction([], 2.5)).toThrow(RangeError);
  });
});
