import { describe, expect, it } from 'vitest';
import { classifyMetric, formatNumber } from './classify.ts';

// y <- 100 + ((1:20 * 7) %% 11) - 5 in R: twenty values between 95 and 105.
const control = Array.from({ length: 20 }, (_, k) => 100 + (((k + 1) * 7) % 11) - 5);
const times = (factor: number) => control.map((v) => v * factor);

describe('classifyMetric', () => {
  it('a canary 30 % slower than its control is High, with the statistics R gives', () => {
    // wilcox.test(y * 1.3, y, conf.int = TRUE, conf.level = 0.98)
    //   Wilcoxon rank sum test with continuity correction
    //   W = 400, p-value = 6.625023e-08
    //   98 percent confidence interval:  27.00008440 33.20002861
    //   difference in location 30.10002366
    // precise: p=6.6250226131831229e-08 est=30.100023664571577 lo=27.000084395507812 hi=33.200028608563109
    const result = classifyMetric({ name: 'latency', unit: 'ms', allowedIncrease: 1.1 }, times(1.3), control);
    expect(result).toMatchObject({ metric: 'latency', verdict: 'High', failed: true, critical: false });
    const test = result.statistics.test!;
    expect(test.w).toBe(400);
    expect(test.pValue).toBeCloseTo(6.6250226131831229e-8, 15);
    expect(test.estimate).toBeCloseTo(30.100023664571577, 9);
    expect(test.interval[0]).toBeCloseTo(27.000084395507812, 9);
    expect(test.interval[1]).toBeCloseTo(33.200028608563109, 9);
    expect(result.statistics.effectSize).toBeCloseTo(1.3, 12);
    expect(result.statistics).toMatchObject({ canarySize: 20, controlSize: 20, canaryDiscarded: 0 });
    expect(result.reason).toBe(
      'latency: canary higher than control: estimate +30.1 ms (98% CI +27..+33.2), effect 1.30× ≥ allowed 1.10×; ' +
        'p = 6.63e-8, canary 20 vs control 20 values',
    );
  });

  it('a significant shift smaller than the allowed effect passes and says why', () => {
    const result = classifyMetric(
      { name: 'latency', unit: 'ms', allowedIncrease: 1.1 },
      times(1.05),
      control,
    );
    expect(result.verdict).toBe('Pass');
    expect(result.statistics.test!.interval[0]).toBeGreaterThan(0);
    expect(result.reason).toContain('canary higher than control');
    expect(result.reason).toContain('but effect 1.05× < allowed 1.10×');
  });

  it('only the configured direction fails', () => {
    const higher = classifyMetric({ name: 'latency', direction: 'decrease' }, times(1.3), control);
    expect(higher.verdict).toBe('Pass');
    expect(higher.reason).toContain('only a decrease fails this metric');
    const lower = classifyMetric({ name: 'throughput', direction: 'increase' }, times(0.5), control);
    expect(lower.verdict).toBe('Pass');
    expect(classifyMetric({ name: 'throughput', direction: 'decrease' }, times(0.5), control).verdict).toBe(
      'Low',
    );
  });

  it('a canary at half the control is Low, with the statistics R gives', () => {
    // wilcox.test(y * 0.5, y, conf.int = TRUE, conf.level = 0.98)
    //   W = 0, p-value = 6.625023e-08
    //   98 percent confidence interval:  -52.50003537 -47.99998574
    //   difference in location -50.00006565
    const result = classifyMetric({ name: 'requests', allowedDecrease: 0.9 }, times(0.5), control);
    expect(result).toMatchObject({ verdict: 'Low', failed: true });
    expect(result.statistics.test!.interval[0]).toBeCloseTo(-52.500035366428889, 9);
    expect(result.statistics.test!.interval[1]).toBeCloseTo(-47.999985740179106, 9);
    expect(result.reason).toContain('effect 0.50× ≤ allowed 0.90×');
  });

  it('the same distribution in another order passes', () => {
    const shuffled = control.map((_, i) => control[(i + 3) % 20] + (i % 2 ? 0.5 : -0.5));
    const result = classifyMetric({ name: 'latency' }, shuffled, control);
    expect(result.verdict).toBe('Pass');
    expect(result.reason).toMatch(/^latency: no significant difference: estimate/);
  });

  it('identical samples pass without a test', () => {
    const result = classifyMetric({ name: 'latency' }, [...control].reverse(), control);
    expect(result).toMatchObject({ verdict: 'Pass', reason: expect.stringContaining('identical') });
    expect(result.statistics.test).toBeUndefined();
  });

  it('critical: a High fails the whole check unless below criticalIncrease', () => {
    const critical = classifyMetric({ name: 'errors', critical: true }, times(1.3), control);
    expect(critical).toMatchObject({ verdict: 'High', critical: true });
    expect(critical.reason).toMatch(/^errors \(critical\): canary higher/);
    const mild = classifyMetric({ name: 'errors', critical: true, criticalIncrease: 2 }, times(1.3), control);
    expect(mild).toMatchObject({ verdict: 'High', critical: false });
    expect(mild.reason).toContain('(critical only at ≥ 2.00×)');
  });

  it('NoData fails only when required; required and critical fails the whole check', () => {
    expect(classifyMetric({ name: 'errors' }, [], [])).toMatchObject({
      verdict: 'NoData',
      failed: false,
      critical: false,
      reason:
        'errors: no data from the canary and control (canary 0, control 0 values); not required, ignored',
    });
    expect(classifyMetric({ name: 'errors', required: true }, [NaN, NaN], control)).toMatchObject({
      verdict: 'NoData',
      failed: true,
      critical: false,
      reason: 'errors: no data from the canary (canary 0, control 20 values, 2 not numbers); required',
    });
    expect(classifyMetric({ name: 'errors', required: true, critical: true }, control, [])).toMatchObject({
      verdict: 'NoData',
      failed: true,
      critical: true,
    });
  });

  it('a side without values while the other has some is Inconclusive (a quiet canary), unless required', () => {
    const quiet = classifyMetric({ name: 'latency' }, [NaN, NaN], control);
    expect(quiet).toMatchObject({ verdict: 'Inconclusive', failed: false, critical: false });
    expect(quiet.reason).toBe(
      'latency: too few values to judge (canary 0, control 20 values; at least 5 needed on each side)',
    );
    expect(quiet.statistics.canaryMean).toBeUndefined();
    expect(classifyMetric({ name: 'latency', required: true }, [], control).verdict).toBe('NoData');
  });

  it('fewer values than minSampleSize is Inconclusive, neither pass nor fail', () => {
    const result = classifyMetric({ name: 'latency', minSampleSize: 10 }, control.slice(0, 9), control);
    expect(result).toMatchObject({ verdict: 'Inconclusive', failed: false, critical: false });
    expect(result.reason).toBe(
      'latency: too few values to judge (canary 9, control 20 values; at least 10 needed on each side)',
    );
    expect(classifyMetric({ name: 'latency' }, [1, 2, 3, 4], control).verdict).toBe('Inconclusive');
    expect(classifyMetric({ name: 'latency' }, times(1.3).slice(0, 5), control).verdict).toBe('High');
  });

  it('NaN values are dropped and counted', () => {
    const result = classifyMetric({ name: 'latency' }, [...times(1.3), NaN, Infinity], control);
    expect(result.statistics).toMatchObject({ canarySize: 20, canaryDiscarded: 2 });
    expect(result.verdict).toBe('High');
  });

  it('a zero mean leaves the effect size out and the interval decides', () => {
    const result = classifyMetric(
      { name: 'errors', allowedIncrease: 5 },
      [2, 3, 1, 2, 4, 3, 2, 5, 3, 2],
      Array<number>(10).fill(0),
    );
    expect(result.statistics.effectSize).toBeUndefined();
    expect(result.verdict).toBe('High');
    expect(result.reason).toContain('effect n/a (a mean is 0)');
  });

  it('rejects settings outside their range', () => {
    expect(() => classifyMetric({ name: 'x', confidenceLevel: 98 }, control, control)).toThrow(
      /confidenceLevel/,
    );
    expect(() => classifyMetric({ name: 'x', minSampleSize: 0 }, control, control)).toThrow(/minSampleSize/);
    expect(() => classifyMetric({ name: 'x', allowedIncrease: -1 }, control, control)).toThrow(
      /allowedIncrease/,
    );
  });

  it('formats numbers to four significant digits', () => {
    expect(formatNumber(30.100023)).toBe('30.1');
    expect(formatNumber(0.000123456)).toBe('0.000123');
    expect(formatNumber(1234567)).toBe('1.23e+6');
    expect(formatNumber(-2.5)).toBe('-2.5');
  });
});
