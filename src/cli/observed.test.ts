import { describe, expect, it } from 'vitest';
import { observedSplitOf } from './view.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const split = {
  at: '2026-03-01T11:59:48Z',
  weight: 20,
  previousWeight: 20,
  canaryRequests: 0,
  requests: 1240,
  share: 0,
  pValue: 1e-120,
  incompatibleIntervals: 2,
};

describe('the observed split line of kanaria get', () => {
  it('says when the split was incompatible with the weight', () => {
    expect(observedSplitOf(split, NOW)).toBe(
      '0.0% of 1,240 requests at weight 20 (12s ago), incompatible with the weight 2x in a row',
    );
  });

  it('says when too few requests were counted to judge', () => {
    expect(
      observedSplitOf({ ...split, requests: 12, canaryRequests: 3, share: 25, pValue: undefined }, NOW),
    ).toBe('25.0% of 12 requests at weight 20 (12s ago), too few to judge');
  });

  it('is absent before anything was observed', () => {
    expect(observedSplitOf(undefined, NOW)).toBeUndefined();
  });
});
