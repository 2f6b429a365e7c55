/**
 * The standard normal distribution: density, tail probabilities and quantiles, accurate to about
 * 1e-14 relative in both tails (tails are computed directly, never as 1 − the other tail).
 */

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** φ(z), the standard normal density. */
export function dnorm(z: number): number {
  return Math.exp(-0.5 * z * z - LOG_SQRT_2PI);
}

/**
 * Q(z) = P(Z > z) for z ≥ 0. Below 2 the series Φ(z) − ½ = φ(z) Σ z^(2k+1) / (1·3·…·(2k+1)) (all
 * terms positive, so no cancellation inside the sum; the loss in ½ − sum is at most a factor 22);
 * from 2 on Laplace's continued fraction Q(z) = φ(z) / (z + 1/(z + 2/(z + 3/(z + …)))), evaluated
 * from the back.
 */
function upperTailNonNegative(z: number): number {
  if (z < 2) {
    let term = z;
    let sum = z;
    for (let k = 1; term > sum * 1e-17; k++) {
      term *= (z * z) / (2 * k + 1);
      sum += term;
    }
    return 0.5 - dnorm(z) * sum;
  }
  if (z > 40) return 0; // φ(40) < 1e-300: below every p-value worth reporting
  const terms = z < 3 ? 400 : z < 6 ? 120 : 60;
  let fraction = z;
  for (let k = terms; k >= 1; k--) fraction = z + k / fraction;
  return dnorm(z) / fraction;
}

/** P(Z ≤ z), or P(Z > z) when lowerTail is false (R's pnorm(z, lower.tail = …)). */
export function pnorm(z: number, lowerTail = true): number {
  if (Number.isNaN(z)) return NaN;
  if (z === Infinity) return lowerTail ? 1 : 0;
  if (z === -Infinity) return lowerTail ? 0 : 1;
  const smallTail = upperTailNonNegative(Math.abs(z));
  return z >= 0 !== lowerTail ? smallTail : 1 - smallTail;
}

/**
 * The z with P(Z ≤ z) = p (or P(Z > z) = p when lowerTail is false), R's qnorm. Starts from the
 * rational approximation of Abramowitz & Stegun 26.2.23 (error < 4.5e-4) and refines it with
 * Halley steps on the tail that holds p, which converge to full precision in a few steps.
 */
export function qnorm(p: number, lowerTail = true): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`qnorm needs a probability in [0, 1], got ${p}`);
  if (p === 0) return lowerTail ? -Infinity : Infinity;
  if (p === 1) return lowerTail ? Infinity : -Infinity;
  if (p === 0.5) return 0;
  // Work on the smaller tail, as a negative quantile, and mirror at the end.
  const tail = p < 0.5 ? p : 1 - p;
  const mirror = lowerTail ? p > 0.5 : p < 0.5;
  const t = Math.sqrt(-2 * Math.log(tail));
  let z = -(
    t -
    (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t ** 3)
  );
  for (let i = 0; i < 6; i++) {
    const density = dnorm(z);
    if (density === 0) break;
    const u = (pnorm(z) - tail) / density;
    const step = u / (1 + (z * u) / 2);
    z -= step;
    if (Math.abs(step) <= 1e-15 * Math.abs(z)) break;
  }
  return mirror ? -z : z;
}
