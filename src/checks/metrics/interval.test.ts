import { describe, expect, it } from 'vitest';
import { intervalSeconds, parseIntervalMs } from './interval.ts';

describe('parseIntervalMs', () => {
  it.each([
    ['30s', 30_000],
    ['1m', 60_000],
    ['1m30s', 90_000],
    ['2h', 7_200_000],
    ['500ms', 500],
    ['1.5m', 90_000],
  ])('%s', (text, ms) => expect(parseIntervalMs(text)).toBe(ms));

  it.each(['', '1min', 'm', '10', '1m 30s', '-1m', '0s'])('rejects %j', (text) =>
    expect(parseIntervalMs(text)).toBeUndefined(),
  );
});

describe('intervalSeconds', () => {
  it('rounds to whole seconds, at least one', () => {
    expect(intervalSeconds('1m')).toBe(60);
    expect(intervalSeconds('100ms')).toBe(1);
  });
  it('throws naming the bad value', () => {
    expect(() => intervalSeconds('1min')).toThrow(/invalid metric interval "1min"/);
  });
});
