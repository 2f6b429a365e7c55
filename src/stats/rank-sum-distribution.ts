/** The exact null distribution of the Mann-Whitney U statistic (no ties), as R's dwilcox/pwilcox/qwilcox. */

/**
 * Frequencies of U = 0..mn over the C(m+n, m) equally likely orders of the pooled sample. The
 * largest value is an x (adding n to U) or a y (adding nothing): c(k; m, n) = c(k − n; m − 1, n) +
 * c(k; m, n − 1). Only additions, so the counts keep full relative precision beyond 2^53.
 */
export function rankSumFrequencies(m: number, n: number): Float64Array {
  let previous: Float64Array[] = Array.from({ length: n + 1 }, () => Float64Array.of(1));
  for (let i = 1; i <= m; i++) {
    const row: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= n; j++) {
      const counts = new Float64Array(i * j + 1);
      const lastIsY = row[j - 1];
      const lastIsX = previous[j];
      for (let k = 0; k < lastIsY.length; k++) counts[k] += lastIsY[k];
      for (let k = 0; k < lastIsX.length; k++) counts[k + j] += lastIsX[k];
      row.push(counts);
    }
    previous = row;
  }
  return previous[n];
}

export class RankSumDistribution {
  readonly counts: Float64Array;
  readonly total: number;
  constructor(counts: Float64Array) {
    this.counts = counts;
    this.total = counts.reduce((a, b) => a + b, 0);
  }
  private sumBelow(k: number): number {
    let sum = 0;
    for (let i = 0; i <= k; i++) sum += this.counts[i];
    return sum / this.total;
  }
  /** P(U ≤ q), or P(U > q) when lowerTail is false (R's pwilcox); sums the smaller side. */
  cdf(q: number, lowerTail = true): number {
    const max = this.counts.length - 1;
    const k = Math.floor(q + 1e-7);
    if (k < 0) return lowerTail ? 0 : 1;
    if (k >= max) return lowerTail ? 1 : 0;
    if (k <= max / 2) {
      const below = this.sumBelow(k);
      return lowerTail ? below : 1 - below;
    }
    const above = this.sumBelow(max - k - 1); // P(U > k) = P(U < max − k) by symmetry
    return lowerTail ? 1 - above : above;
  }
  /** The smallest q with P(U ≤ q) ≥ p, with R's qwilcox fuzz. */
  quantile(p: number): number {
    const max = this.counts.length - 1;
    let cumulative = 0;
    if (p <= 0.5) {
      const target = p - 10 * Number.EPSILON;
      for (let q = 0; ; q++) {
        cumulative += this.counts[q] / this.total;
        if (cumulative >= target) return q;
      }
    }
    const target = 1 - p + 10 * Number.EPSILON;
    for (let q = 0; ; q++) {
      cumulative += this.counts[q] / this.total;
      if (cumulative > target) return max - q;
    }
  }
}
