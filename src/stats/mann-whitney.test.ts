import { describe, expect, it } from 'vitest';
import { averageRanks, mannWhitneyTest, type MannWhitneyResult } from './mann-whitney.ts';
import { rankSumFrequencies } from './rank-sum-distribution.ts';

/**
 * Reference values come from R 4.2.2 (`Rscript`, stats::wilcox.test). Each test quotes the R call and
 * the lines of its printed output; the asserted values are the same numbers printed with
 * sprintf('%.17g') (shown as "precise"). Values must agree to 1e-9 relative.
 */
interface Expected {
  w: number;
  p: number;
  estimate: number;
  lower: number;
  upper: number;
  level: number;
  method: 'exact' | 'normal';
}

function closeTo(actual: number, expected: number, what: string): void {
  if (!Number.isFinite(expected)) {
    expect(actual, what).toBe(expected);
    return;
  }
  const error = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
  expect(error, `${what}: ${actual} vs R ${expected}`).toBeLessThan(1e-9);
}

function expectR(result: MannWhitneyResult, expected: Expected): void {
  closeTo(result.w, expected.w, 'W');
  closeTo(result.pValue, expected.p, 'p-value');
  closeTo(result.estimate, expected.estimate, 'estimate');
  closeTo(result.interval[0], expected.lower, 'lower bound');
  closeTo(result.interval[1], expected.upper, 'upper bound');
  closeTo(result.confLevel, expected.level, 'conf.level');
  expect(result.method).toBe(expected.method);
}

const seq = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, k) => f(k + 1));

// R's ?wilcox.test example (Hollander & Wolfe 1973, p. 69: permeability constants of the human
// chorioamnion at term, x, and between 12 and 26 weeks, y).
const termX = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
const earlyY = [1.15, 0.88, 0.9, 0.74, 1.21];

const smallX = [12.1, 14.3, 11.8, 15.2, 13.9, 16.4, 12.7];
const smallY = [10.2, 11.5, 12.4, 9.8, 11.1, 10.9];

// x <- (1:40 * 7919) %% 1009 / 10; y <- (1:45 * 6007) %% 1013 / 10 + 3.05: 40 and 45 distinct values.
const exactX = seq(40, (i) => ((i * 7919) % 1009) / 10);
const exactY = seq(45, (i) => ((i * 6007) % 1013) / 10 + 3.05);

const tiedX = [3, 4, 4, 5, 6, 6, 6, 8];
const tiedY = [2, 3, 3, 4, 5, 5, 7];

// x <- 150 + (1:60 * 37) %% 101; y <- 140 + (1:80 * 53) %% 97
const largeX = seq(60, (i) => 150 + ((i * 37) % 101));
const largeY = seq(80, (i) => 140 + ((i * 53) % 97));

describe('Mann-Whitney U against R wilcox.test', () => {
  it('R ?wilcox.test example, alternative "greater" (exact)', () => {
    // wilcox.test(x, y, alternative = "greater", conf.int = TRUE)
    //   Wilcoxon rank sum exact test
    //   W = 35, p-value = 0.1272061
    //   95 percent confidence interval:  -0.08   Inf
    //   difference in location 0.305
    // precise: p=0.1272061272061272 est=0.30500000000000005 lo=-0.07999999999999996
    expectR(mannWhitneyTest(termX, earlyY, { alternative: 'greater' }), {
      w: 35,
      p: 0.1272061272061272,
      estimate: 0.305,
      lower: -0.08,
      upper: Infinity,
      level: 0.95,
      method: 'exact',
    });
  });

  it('R ?wilcox.test example, two-sided at conf.level 0.98 (exact)', () => {
    // wilcox.test(x, y, conf.int = TRUE, conf.level = 0.98)
    //   W = 35, p-value = 0.2544123
    //   98 percent confidence interval:  -0.17  0.90
    //   difference in location 0.305
    // precise: p=0.2544122544122544 lo=-0.17000000000000004 hi=0.89999999999999991
    expectR(mannWhitneyTest(termX, earlyY, { confLevel: 0.98 }), {
      w: 35,
      p: 0.2544122544122544,
      estimate: 0.305,
      lower: -0.17,
      upper: 0.9,
      level: 0.98,
      method: 'exact',
    });
  });

  it('small samples without ties, two-sided 0.95 and "less" 0.98 (exact)', () => {
    // wilcox.test(c(12.1, 14.3, 11.8, 15.2, 13.9, 16.4, 12.7), c(10.2, 11.5, 12.4, 9.8, 11.1, 10.9),
    //             conf.int = TRUE, conf.level = 0.95)
    //   Wilcoxon rank sum exact test
    //   W = 40, p-value = 0.004662005
    //   95 percent confidence interval:  0.9 4.9
    //   difference in location 2.8
    // precise: p=0.004662004662004662 est=2.7999999999999998 lo=0.90000000000000036 hi=4.8999999999999986
    expectR(mannWhitneyTest(smallX, smallY), {
      w: 40,
      p: 0.004662004662004662,
      estimate: 2.8,
      lower: 0.90000000000000036,
      upper: 4.8999999999999986,
      level: 0.95,
      method: 'exact',
    });
    // same samples, alternative = "less", conf.int = TRUE, conf.level = 0.98
    //   W = 40, p-value = 0.9988345
    //   98 percent confidence interval:  -Inf  4.9
    // precise: p=0.99883449883449882
    expectR(mannWhitneyTest(smallX, smallY, { alternative: 'less', confLevel: 0.98 }), {
      w: 40,
      p: 0.99883449883449882,
      estimate: 2.8,
      lower: -Infinity,
      upper: 4.8999999999999986,
      level: 0.98,
      method: 'exact',
    });
  });

  it('40 and 45 values without ties: still exact (both < 50)', () => {
    // wilcox.test((1:40 * 7919) %% 1009 / 10, (1:45 * 6007) %% 1013 / 10 + 3.05, conf.int = TRUE, conf.level = 0.98)
    //   Wilcoxon rank sum exact test
    //   W = 834, p-value = 0.5660045
    //   98 percent confidence interval:  -20.05  12.25
    //   difference in location -3.7
    // precise: p=0.5660044705964089 est=-3.7000000000000028 lo=-20.049999999999997 hi=12.250000000000007
    expectR(mannWhitneyTest(exactX, exactY, { confLevel: 0.98 }), {
      w: 834,
      p: 0.5660044705964089,
      estimate: -3.7000000000000028,
      lower: -20.049999999999997,
      upper: 12.250000000000007,
      level: 0.98,
      method: 'exact',
    });
    // same, alternative = "greater": W = 834, p-value = 0.7199587; 98 percent CI -17.95 Inf
    // precise: p=0.71995871343823403 lo=-17.950000000000003
    expectR(mannWhitneyTest(exactX, exactY, { alternative: 'greater', confLevel: 0.98 }), {
      w: 834,
      p: 0.71995871343823403,
      estimate: -3.7000000000000028,
      lower: -17.950000000000003,
      upper: Infinity,
      level: 0.98,
      method: 'exact',
    });
  });

  it('ties: normal approximation with tie and continuity correction', () => {
    // wilcox.test(c(3, 4, 4, 5, 6, 6, 6, 8), c(2, 3, 3, 4, 5, 5, 7), conf.int = TRUE)
    //   Warning: cannot compute exact p-value with ties
    //   Wilcoxon rank sum test with continuity correction
    //   W = 39, p-value = 0.2176209
    //   95 percent confidence interval:  -0.9999772999  3.0000098256
    //   difference in location 1
    // precise: p=0.21762088415093464 lo=-0.99997729988396133 hi=3.000009825632687
    expectR(mannWhitneyTest(tiedX, tiedY), {
      w: 39,
      p: 0.21762088415093464,
      estimate: 1,
      lower: -0.99997729988396133,
      upper: 3.000009825632687,
      level: 0.95,
      method: 'normal',
    });
    // same, alternative = "greater", conf.level = 0.98
    //   W = 39, p-value = 0.1088104
    //   98 percent confidence interval:  -1.000049782          Inf
    // precise: p=0.10881044207546732 lo=-1.0000497819500325
    expectR(mannWhitneyTest(tiedX, tiedY, { alternative: 'greater', confLevel: 0.98 }), {
      w: 39,
      p: 0.10881044207546732,
      estimate: 1,
      lower: -1.0000497819500325,
      upper: Infinity,
      level: 0.98,
      method: 'normal',
    });
  });

  it('a constant series against a varying one', () => {
    // wilcox.test(rep(120, 8), c(100, 104, 110, 115, 118, 121, 125, 130, 101, 108), conf.int = TRUE, conf.level = 0.98)
    //   W = 56, p-value = 0.1495596
    //   98 percent confidence interval:  -4.999935893 18.999981191
    //   difference in location 6.5
    // precise: p=0.14955956211859753 lo=-4.9999358925663477 hi=18.999981191076589
    const varying = [100, 104, 110, 115, 118, 121, 125, 130, 101, 108];
    expectR(mannWhitneyTest(Array<number>(8).fill(120), varying, { confLevel: 0.98 }), {
      w: 56,
      p: 0.14955956211859753,
      estimate: 6.5,
      lower: -4.9999358925663477,
      upper: 18.999981191076589,
      level: 0.98,
      method: 'normal',
    });
  });

  it('60 and 80 values (normal approximation): two-sided 0.98, "greater" 0.95, "less" 0.98', () => {
    // wilcox.test(150 + (1:60 * 37) %% 101, 140 + (1:80 * 53) %% 97, conf.int = TRUE, conf.level = 0.98)
    //   W = 3016, p-value = 0.009546373
    //   98 percent confidence interval:   1.000048437 25.999962721
    //   difference in location 13.00005451
    // precise: p=0.0095463725838866066 est=13.000054511865137 lo=1.0000484367261506 hi=25.999962721128675
    expectR(mannWhitneyTest(largeX, largeY, { confLevel: 0.98 }), {
      w: 3016,
      p: 0.0095463725838866066,
      estimate: 13.000054511865137,
      lower: 1.0000484367261506,
      upper: 25.999962721128675,
      level: 0.98,
      method: 'normal',
    });
    // same, alternative = "greater" (conf.level 0.95): W = 3016, p-value = 0.004773186; CI 5.000055864 Inf
    // precise: p=0.0047731862919433033 lo=5.00005586353784
    expectR(mannWhitneyTest(largeX, largeY, { alternative: 'greater' }), {
      w: 3016,
      p: 0.0047731862919433033,
      estimate: 13.000054511865137,
      lower: 5.00005586353784,
      upper: Infinity,
      level: 0.95,
      method: 'normal',
    });
    // same, alternative = "less", conf.level = 0.98: W = 3016, p-value = 0.9952849; CI -Inf 24.00002034
    // precise: p=0.99528491740832736 hi=24.000020342678706
    expectR(mannWhitneyTest(largeX, largeY, { alternative: 'less', confLevel: 0.98 }), {
      w: 3016,
      p: 0.99528491740832736,
      estimate: 13.000054511865137,
      lower: -Infinity,
      upper: 24.000020342678706,
      level: 0.98,
      method: 'normal',
    });
  });

  it('mu shifts the null hypothesis but not the interval', () => {
    // wilcox.test(c(10.5, 11.2, 9.8, 12, 10.1), c(9.1, 8.7, 10, 9.5), mu = 1, conf.int = TRUE)
    //   Warning: cannot compute exact p-value with ties   (10.5 − 1 ties 9.5)
    //   W = 13, p-value = 0.5368785
    //   95 percent confidence interval:  0.09993434739 2.90002494431
    //   difference in location 1.294167135
    // precise: p=0.53687845630793318 est=1.2941671354379605 lo=0.099934347393961703 hi=2.9000249443088975
    expectR(mannWhitneyTest([10.5, 11.2, 9.8, 12, 10.1], [9.1, 8.7, 10, 9.5], { mu: 1 }), {
      w: 13,
      p: 0.53687845630793318,
      estimate: 1.2941671354379605,
      lower: 0.099934347393961703,
      upper: 2.9000249443088975,
      level: 0.95,
      method: 'normal',
    });
  });

  it('reports the achieved level when the exact distribution cannot reach the requested one', () => {
    // wilcox.test(c(1, 2), c(3, 4, 5), conf.int = TRUE, conf.level = 0.98)
    //   Warning: Requested conf.level not achievable
    //   W = 0, p-value = 0.2
    //   80 percent confidence interval:  -4 -1
    //   difference in location -2.5
    expectR(mannWhitneyTest([1, 2], [3, 4, 5], { confLevel: 0.98 }), {
      w: 0,
      p: 0.2,
      estimate: -2.5,
      lower: -4,
      upper: -1,
      level: 0.8,
      method: 'exact',
    });
  });
});

describe('degenerate samples, decided here where R stops', () => {
  it('two different constant series: R p-value, the difference as estimate and interval', () => {
    // wilcox.test(c(5, 5, 5), c(3, 3, 3))
    //   W = 9, p-value = 0.04685418   (precise 0.046854177603873753)
    // with conf.int = TRUE R stops: "cannot compute confidence interval when all observations are tied"
    const result = mannWhitneyTest([5, 5, 5], [3, 3, 3]);
    closeTo(result.w, 9, 'W');
    closeTo(result.pValue, 0.046854177603873753, 'p-value');
    expect([result.estimate, ...result.interval]).toEqual([2, 2, 2]);
    expect(result.note).toBe('both samples are constant');
    // wilcox.test(c(5, 5, 5), c(3, 3, 3, 3), alternative = "greater"): W = 12, p-value = 0.0123723360232
    const greater = mannWhitneyTest([5, 5, 5], [3, 3, 3, 3], { alternative: 'greater' });
    closeTo(greater.pValue, 0.0123723360232, 'one-sided p-value');
    expect(greater.interval).toEqual([2, Infinity]);
  });

  it('identical constant series: p = 1, estimate 0, interval [0, 0] (R: p-value = NA)', () => {
    // wilcox.test(c(4, 4, 4), c(4, 4)): W = 3, p-value = NA
    const result = mannWhitneyTest([4, 4, 4], [4, 4], { confLevel: 0.98 });
    expect(result).toMatchObject({ w: 3, pValue: 1, estimate: 0, interval: [0, 0], method: 'normal' });
    expect(result.note).toBe('all values are equal');
  });

  it('refuses empty samples, non-finite values and levels outside (0, 1)', () => {
    expect(() => mannWhitneyTest([], [1, 2])).toThrow(/at least one value in x/);
    expect(() => mannWhitneyTest([1, 2], [])).toThrow(/at least one value in y/);
    expect(() => mannWhitneyTest([1, NaN], [1, 2])).toThrow(RangeError);
    expect(() => mannWhitneyTest([1, 2], [1, Infinity])).toThrow(/finite/);
    expect(() => mannWhitneyTest([1, 2], [3, 4], { confLevel: 1 })).toThrow(/confLevel/);
  });
});

describe('building blocks', () => {
  it('average ranks and the tie term', () => {
    const { ranks, tieTerm } = averageRanks([3, 1, 3, 2, 3]);
    expect([...ranks]).toEqual([4, 1, 4, 2, 4]);
    expect(tieTerm).toBe(3 ** 3 - 3);
  });

  it('rank-sum frequencies sum to C(m+n, m) and are symmetric', () => {
    // choose(7, 3) = 35; dwilcox(0:12, 3, 4) * 35 = 1 1 2 3 4 4 5 4 4 3 2 1 1
    expect([...rankSumFrequencies(3, 4)]).toEqual([1, 1, 2, 3, 4, 4, 5, 4, 4, 3, 2, 1, 1]);
    const big = rankSumFrequencies(49, 49);
    const total = big.reduce((a, b) => a + b, 0);
    // choose(98, 49) = 2.5477612258980968e+28 in R (print(choose(98, 49), digits = 17))
    expect(total / 2.5477612258980968e28).toBeCloseTo(1, 12);
    expect(big[10]).toBe(big[big.length - 11]);
  });
});
