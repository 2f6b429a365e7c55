import { describe, expect, it } from 'vitest';
import { dnorm, pnorm, qnorm } from './normal.ts';

// Reference values: R 4.2.2, printed with sprintf("%.17g", …).
function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

describe('standard normal', () => {
  it.each([
    ['pnorm(-1.96)', pnorm(-1.96), 0.024997895148220428],
    ['pnorm(1.5)', pnorm(1.5), 0.93319279873114191],
    ['pnorm(3, lower.tail = FALSE)', pnorm(3, false), 0.0013498980316300946],
    ['pnorm(-8.3)', pnorm(-8.3), 5.2055697448902552e-17],
    ['pnorm(12, lower.tail = FALSE)', pnorm(12, false), 1.776482112077679e-33],
    ['pnorm(-37)', pnorm(-37), 5.7255712225245771e-300],
    ['qnorm(0.01)', qnorm(0.01), -2.3263478740408408],
    ['qnorm(0.975)', qnorm(0.975), 1.9599639845400536],
    ['qnorm(1e-20)', qnorm(1e-20), -9.2623400897984052],
    ['qnorm(0.01, lower.tail = FALSE)', qnorm(0.01, false), 2.3263478740408408],
    ['qnorm(0.3)', qnorm(0.3), -0.52440051270804067],
  ])('%s', (_call, actual, expected) => {
    expect(relativeError(actual, expected)).toBeLessThan(1e-12);
  });

  it('tails are computed directly, not as 1 − the other tail', () => {
    expect(pnorm(10, false)).toBeGreaterThan(0);
    expect(pnorm(-10) + pnorm(-10, false)).toBe(1);
  });

  it('edges and errors', () => {
    expect(pnorm(Infinity)).toBe(1);
    expect(pnorm(-Infinity, false)).toBe(1);
    expect(pnorm(NaN)).toBeNaN();
    expect(qnorm(0)).toBe(-Infinity);
    expect(qnorm(1)).toBe(Infinity);
    expect(qnorm(0, false)).toBe(Infinity);
    expect(qnorm(0.5)).toBe(0);
    expect(dnorm(0)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 15);
    expect(() => qnorm(1.5)).toThrow(RangeError);
  });

  it('qnorm inverts pnorm across the range', () => {
    for (const p of [1e-300, 1e-12, 0.001, 0.2, 0.5, 0.8, 0.999]) {
      expect(relativeError(pnorm(qnorm(p)), p)).toBeLessThan(1e-12);
    }
  });
});
