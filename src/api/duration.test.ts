import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DURATION_PATTERN, formatDuration, isPositiveDuration, parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it.each([
    ['1s', 1000],
    ['30s', 30_000],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    ['1s500ms', 1500],
    ['0s', 0],
    ['90s', 90_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '10', 'm', '1d', '1 m', '-1s', '1m30', ' 1s', '1.s', '.5s', '1µs', 'abc'])(
    'rejects %j with an error that names the text',
    (text) => {
      expect(() => parseDuration(text)).toThrow(`invalid duration ${JSON.stringify(text)}`);
    },
  );

  it('says how to write a duration', () => {
    expect(() => parseDuration('5 minutes')).toThrow(/e\.g\. 30s, 1m or 1m30s/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [250, '250ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [60_000, '1m'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [3_630_000, '1h30s'],
    [5_400_000, '1h30m'],
    [60_500, '1m0.5s'],
    [-90_000, '-1m30s'],
  ])('writes %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('rejects values that are not finite', () => {
    expect(() => formatDuration(Number.NaN)).toThrow(/not a finite number/);
  });

  it('round-trips through parseDuration for any whole number of milliseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 24 * 3_600_000 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });
});

describe('DURATION_PATTERN', () => {
  const pattern = new RegExp(DURATION_PATTERN);

  it.each(['1s', '30s', '1m', '1h', '1m30s', '0m30s', '0.5s', '100ms', '2h0m'])('accepts %s', (text) => {
    expect(pattern.test(text)).toBe(true);
  });

  it.each(['0s', '0m0s', '0.0h', '', '1', '1d', '-1s', '1m 30s', 's'])('rejects %j', (text) => {
    expect(pattern.test(text)).toBe(false);
  });

  it('accepts exactly the durations that parse to more than zero', () => {
    const part = fc
      .tuple(fc.stringMatching(/^[0-9]{1,3}(\.[0-9]{1,2})?$/), fc.constantFrom('ms', 's', 'm', 'h', 'd', ''))
      .map(([n, u]) => n + u);
    const text = fc.oneof(
      fc.array(part, { maxLength: 3 }).map((p) => p.join('')),
      fc.string({ maxLength: 8 }),
    );
    fc.assert(
      fc.property(text, (t) => {
        expect(pattern.test(t)).toBe(isPositiveDuration(t));
      }),
      { numRuns: 2000 },
    );
  });

  it('uses no look-arounds or back-references, which the API server (Go RE2) cannot run', () => {
    expect(DURATION_PATTERN).not.toMatch(/\(\?[=!<]|\\[1-9]/);
  });
});
