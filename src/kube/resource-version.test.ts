import { describe, expect, it } from 'vitest';
import { resourceVersionNumber } from './resource-version.ts';

describe('resourceVersionNumber', () => {
  it('orders decimal versions as numbers, past what a double holds', () => {
    expect(resourceVersionNumber('9')! < resourceVersionNumber('10')!).toBe(true);
    expect(resourceVersionNumber('90071992547409931')).toBe(90071992547409931n);
  });

  it('gives undefined for a missing, empty or non-decimal version', () => {
    for (const rv of [undefined, '', 'abc', '0x1f', ' 12', '-3'])
      expect(resourceVersionNumber(rv)).toBeUndefined();
  });
});
