/**
 * Exact binomial tail probabilities, computed in log space so that counts in the millions and
 * probabilities far below Number.MIN_VALUE neither overflow nor lose the answer.
 */

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, n = 9: about 15 significant digits). */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs x > 0, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

function checkCounts(k: number, n: number, p: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a count, got ${n}`);
  if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`k must be a count in 0..${n}, got ${k}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be in [0, 1], got ${p}`);
}

/** ln P(X = k) for X ~ Binomial(n, p). */
export function logBinomialPmf(k: number, n: number, p: number): number {
  checkCounts(k, n, p);
  if (p === 0) return k === 0 ? 0 : -Infinity;
  if (p === 1) return k === n ? 0 : -Infinity;
  const logChoose = logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
  return logChoose + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/** ln of Σ exp(terms), without overflow. */
function logSumExp(terms: number[]): number {
  const max = Math.max(...terms);
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (const t of terms) sum += Math.exp(t - max);
  return max + Math.log(sum);
}

/**
 * ln P(X ≤ k) for X ~ Binomial(n, p). Sums the pmf from k downwards and stops once the terms are
 * negligible (they fall geometrically below the mode), so it costs O(k) at worst.
 */
export function logBinomialCdf(k: number, n: number, p: number): number {
  checkCounts(k, n, p);
  if (k === n) return 0;
  const terms: number[] = [];
  let largest = -Infinity;
  for (let i = k; i >= 0; i--) {
    const term = logBinomialPmf(i, n, p);
    terms.push(term);
    largest = Math.max(largest, term);
    // Below the mode ((n+1)p) terms only shrink; 40 nats under the largest is beyond double precision.
    if (i < (n + 1) * p && term < largest - 40) break;
  }
  return Math.min(0, logSumExp(terms));
}

/** ln P(X ≥ k) for X ~ Binomial(n, p): the lower tail of the failures. */
export function logBinomialUpperTail(k: number, n: number, p: number): number {
  checkCounts(k, n, p);
  return logBinomialCdf(n - k, n, 1 - p);
}
