/**
 * The Mann-Whitney U test (Wilcoxon rank-sum test) of two independent samples with the
 * Hodges-Lehmann estimate of the location shift x − y and its confidence interval, computed as R's
 * `wilcox.test(x, y, conf.int = TRUE)` does (R 4.2): the exact null distribution of U when both
 * samples have fewer than 50 values and no value occurs twice, otherwise the normal approximation
 * with tie and continuity correction, whose interval and estimate are roots of the centred
 * statistic found by Brent's method with R's tolerance (1e-4).
 */
import { pnorm, qnorm } from './normal.ts';
import { RankSumDistribution, rankSumFrequencies } from './rank-sum-distribution.ts';
import { brentRoot } from './root.ts';

export type Alternative = 'two.sided' | 'less' | 'greater';

export interface MannWhitneyOptions {
  /** Default 'two.sided'. 'greater' tests whether x is shifted above y. */
  alternative?: Alternative;
  /** Confidence level of the interval, in (0, 1); default 0.95 as in R. */
  confLevel?: number;
  /** The location shift under the null hypothesis; default 0. */
  mu?: number;
  /** Force the exact (true) or normal (false) method; by default exact when both samples < 50. */
  exact?: boolean;
  /** Continuity correction of the normal approximation; default true. */
  correct?: boolean;
}

export interface MannWhitneyResult {
  /** R's W: the U statistic of x, the number of pairs with x − mu above y, ties counting ½. */
  w: number;
  pValue: number;
  /** Hodges-Lehmann estimate of the shift x − y. */
  estimate: number;
  /** Confidence interval of the shift; a one-sided alternative leaves one end infinite. */
  interval: [number, number];
  /** The level the interval achieves: the requested one unless the exact distribution is too coarse. */
  confLevel: number;
  method: 'exact' | 'normal';
  nx: number;
  ny: number;
  /** Set when a degenerate case was decided here instead of by R (where R warns or gives NaN). */
  note?: string;
}

const ROOT_TOLERANCE = 1e-4; // R's tol.root default

interface Ranking {
  ranks: Float64Array;
  /** Σ (t³ − t) over groups of t equal values: the tie correction of the variance. */
  tieTerm: number;
}

/** Ranks 1..n, ties getting the average of the ranks they span (R's rank). */
export function averageRanks(values: readonly number[]): Ranking {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(values.length);
  let tieTerm = 0;
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) end++;
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]] = rank;
    const size = end - start;
    tieTerm += size ** 3 - size;
    start = end;
  }
  return { ranks, tieTerm };
}

/** U of `x` against `y` (rank sum of x minus its minimum) and the tie term of the pooled sample. */
function rankSumStatistic(x: readonly number[], y: readonly number[]): { u: number; tieTerm: number } {
  const { ranks, tieTerm } = averageRanks([...x, ...y]);
  let rankSum = 0;
  for (let i = 0; i < x.length; i++) rankSum += ranks[i];
  return { u: rankSum - (x.length * (x.length + 1)) / 2, tieTerm };
}

function median(sorted: readonly number[]): number {
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function exactTest(
  x: readonly number[],
  y: readonly number[],
  w: number,
  alternative: Alternative,
  level: number,
) {
  const nx = x.length;
  const ny = y.length;
  const distribution = new RankSumDistribution(rankSumFrequencies(nx, ny));
  const pValue =
    alternative === 'greater'
      ? distribution.cdf(w - 1, false)
      : alternative === 'less'
        ? distribution.cdf(w)
        : Math.min(1, 2 * (w > (nx * ny) / 2 ? distribution.cdf(w - 1, false) : distribution.cdf(w)));

  const differences = x.flatMap((xi) => y.map((yj) => xi - yj)).sort((a, b) => a - b);
  const alpha = 1 - level;
  const lowerIndex = Math.max(1, distribution.quantile(alternative === 'two.sided' ? alpha / 2 : alpha));
  const upperIndex = nx * ny - lowerIndex + 1; // 1-based, R's ql + 1
  const achievedAlpha = (alternative === 'two.sided' ? 2 : 1) * distribution.cdf(lowerIndex - 1);
  const interval: [number, number] = [
    alternative === 'less' ? -Infinity : differences[lowerIndex - 1],
    alternative === 'greater' ? Infinity : differences[upperIndex - 1],
  ];
  const confLevel = achievedAlpha - alpha > alpha / 2 ? 1 - achievedAlpha : level;
  return { pValue, estimate: median(differences), interval, confLevel };
}

function isConstant(values: readonly number[]): boolean {
  return values.every((v) => v === values[0]);
}

function normalTest(
  x: readonly number[],
  y: readonly number[],
  w: number,
  tieTerm: number,
  options: Required<Omit<MannWhitneyOptions, 'exact' | 'mu'>>,
): Omit<MannWhitneyResult, 'w' | 'method' | 'nx' | 'ny'> {
  const { alternative, confLevel, correct } = options;
  const nx = x.length;
  const ny = y.length;
  const pooled = nx + ny;
  const sigmaOf = (ties: number) =>
    Math.sqrt(((nx * ny) / 12) * (pooled + 1 - ties / (pooled * (pooled - 1))));
  const correction = (dz: number, useCorrection: boolean) =>
    !useCorrection
      ? 0
      : alternative === 'two.sided'
        ? Math.sign(dz) * 0.5
        : alternative === 'greater'
          ? 0.5
          : -0.5;

  const centred = w - (nx * ny) / 2;
  const sigma = sigmaOf(tieTerm);
  let pValue: number;
  let note: string | undefined;
  if (sigma === 0) {
    pValue = 1; // every value equal: no evidence of any shift (R gives NaN)
    note = 'all values are equal';
  } else {
    const z = (centred - correction(centred, correct)) / sigma;
    pValue =
      alternative === 'less'
        ? pnorm(z)
        : alternative === 'greater'
          ? pnorm(z, false)
          : 2 * Math.min(pnorm(z), pnorm(z, false));
  }

  const openInterval = (lower: number, upper: number): [number, number] => [
    alternative === 'less' ? -Infinity : lower,
    alternative === 'greater' ? Infinity : upper,
  ];
  if (isConstant(x) && isConstant(y)) {
    // R's root finding divides by a zero variance here; the shift is known exactly.
    const shift = x[0] - y[0];
    note ??= 'both samples are constant';
    return { pValue, estimate: shift, interval: openInterval(shift, shift), confLevel, note };
  }

  const standardised = (d: number, useCorrection: boolean): number => {
    const shifted = rankSumStatistic(
      x.map((v) => v - d),
      y,
    );
    const dz = shifted.u - (nx * ny) / 2;
    return (dz - correction(dz, useCorrection)) / sigmaOf(shifted.tieTerm);
  };
  // Reduced rather than spread: Math.min(...values) overflows the stack on long series.
  const least = (values: readonly number[]) => values.reduce((a, b) => Math.min(a, b));
  const most = (values: readonly number[]) => values.reduce((a, b) => Math.max(a, b));
  const shiftMin = least(x) - most(y);
  const shiftMax = most(x) - least(y);
  const atMin = standardised(shiftMin, correct);
  const atMax = standardised(shiftMax, correct);
  const rootAt = (quantile: number): number => {
    if (atMin - quantile <= 0) return shiftMin;
    if (atMax - quantile >= 0) return shiftMax;
    return brentRoot(
      (d) => standardised(d, correct) - quantile,
      shiftMin,
      shiftMax,
      atMin - quantile,
      atMax - quantile,
      ROOT_TOLERANCE,
    );
  };
  const alpha = 1 - confLevel;
  const oneSided = alternative !== 'two.sided';
  const lower = alternative === 'less' ? -Infinity : rootAt(qnorm(oneSided ? alpha : alpha / 2, false));
  const upper = alternative === 'greater' ? Infinity : rootAt(qnorm(oneSided ? alpha : alpha / 2));
  // R finds the estimate without the continuity correction (it clears `correct` before this root).
  const estimate = brentRoot(
    (d) => standardised(d, false),
    shiftMin,
    shiftMax,
    standardised(shiftMin, false),
    standardised(shiftMax, false),
    ROOT_TOLERANCE,
  );
  return { pValue, estimate, interval: [lower, upper], confLevel, ...(note ? { note } : {}) };
}

function checkSample(name: string, values: readonly number[]): void {
  if (values.length === 0)
    throw new RangeError(`Mann-Whitney test needs at least one value in ${name}, got none`);
  const bad = values.find((v) => !Number.isFinite(v));
  if (bad !== undefined) throw new RangeError(`Mann-Whitney test needs finite values, ${name} holds ${bad}`);
}

/** wilcox.test(x, y, conf.int = TRUE, …) of R: see the module comment. */
export function mannWhitneyTest(
  x: readonly number[],
  y: readonly number[],
  options: MannWhitneyOptions = {},
): MannWhitneyResult {
  checkSample('x', x);
  checkSample('y', y);
  const alternative = options.alternative ?? 'two.sided';
  const confLevel = options.confLevel ?? 0.95;
  const mu = options.mu ?? 0;
  const correct = options.correct ?? true;
  if (!(confLevel > 0 && confLevel < 1))
    throw new RangeError(`confLevel must be in (0, 1), got ${confLevel}`);
  if (!Number.isFinite(mu)) throw new RangeError(`mu must be a finite number, got ${mu}`);

  const nx = x.length;
  const ny = y.length;
  const { u: w, tieTerm } = rankSumStatistic(
    x.map((v) => v - mu),
    y,
  );
  const exact = options.exact ?? (nx < 50 && ny < 50);
  if (exact && tieTerm === 0) {
    return { w, method: 'exact', nx, ny, ...exactTest(x, y, w, alternative, confLevel) };
  }
  return {
    w,
    method: 'normal',
    nx,
    ny,
    ...normalTest(x, y, w, tieTerm, { alternative, confLevel, correct }),
  };
}
