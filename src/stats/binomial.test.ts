import { describe, expect, it } from 'vitest';
import { logBinomialCdf, logBinomialPmf, logBinomialUpperTail, logGamma } from './binomial.ts';

/** P(X ≤ k) for X ~ Binomial(n, num/den), exactly, with BigInt rationals; then as a double. */
function exactCdf(k: number, n: number, num: number, den: number): number {
  let choose = 1n;
  let sum = 0n;
  const p = BigInt(num);
  const q = BigInt(den - num);
  for (let i = 0; i <= k; i++) {
    if (i > 0) choose = (choose * BigInt(n - i + 1)) / BigInt(i);
    sum += choose * p ** BigInt(i) * q ** BigInt(n - i);
  }
  const total = BigInt(den) ** BigInt(n);
  // Scale so the quotient keeps 15 significant digits, even for tiny probabilities.
  const digits = total.toString().length - sum.toString().length + 18;
  return Number((sum * 10n ** BigInt(digits)) / total) / 10 ** digits;
}

describe('binomial tails', () => {
  it('logGamma matches factorials', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 10);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });

  it('pbinom(3, 10, 0.5) = 176/1024', () => {
    expect(Math.exp(logBinomialCdf(3, 10, 0.5))).toBeCloseTo(176 / 1024, 12);
  });

  it('P(X = 0) at n = 1240, p = 0.2 is 0.8^1240, far below the smallest double', () => {
    expect(logBinomialPmf(0, 1240, 0.2)).toBeCloseTo(1240 * Math.log(0.8), 8);
    expect(logBinomialCdf(0, 1240, 0.2)).toBeCloseTo(1240 * Math.log(0.8), 8);
  });

  it.each([
    [15, 100, 1, 5],
    [30, 100, 1, 5],
    [0, 50, 1, 10],
    [7, 300, 1, 10],
    [140, 300, 2, 5],
    [450, 1000, 1, 2],
  ])('P(X ≤ %i) for n = %i, p = %i/%i agrees with the exact rational sum', (k, n, num, den) => {
    const exact = exactCdf(k, n, num, den);
    const computed = Math.exp(logBinomialCdf(k, n, num / den));
    expect(Math.abs(computed - exact) / exact).toBeLessThan(1e-9);
  });

  it('the upper tail is the complement of the cdf below k', () => {
    const upper = Math.exp(logBinomialUpperTail(25, 100, 0.2));
    expect(upper).toBeCloseTo(1 - exactCdf(24, 100, 1, 5), 12);
  });

  it('handles p of 0 and 1 and rejects impossible counts', () => {
    expect(logBinomialCdf(0, 10, 0)).toBe(0);
    expect(logBinomialUpperTail(1, 10, 0)).toBe(-Infinity);
    expect(logBinomialCdf(9, 10, 1)).toBe(-Infinity);
    expect(() => logBinomialCdf(11, 10, 0.5)).toThrow(/k must be a count in 0..10/);
    expect(() => logBinomialCdf(1, 10, 1.5)).toThrow(/p must be in/);
  });
});
