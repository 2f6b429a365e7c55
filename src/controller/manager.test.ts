import { describe, expect, it } from 'vitest';
import { ApiException } from '../kube/client.ts';
import { reconcileRetryDelay } from './manager.ts';

const refused = new TypeError('fetch failed', {
  cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
});
const forbidden = new ApiException(403, 'x', '{}', {});
const always = (n: number, err: unknown) => reconcileRetryDelay(n, err, () => 1);

describe('reconcileRetryDelay', () => {
  it('grows from 200 ms and stops at 5 s while the API server is unavailable', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((n) => always(n, refused))).toEqual([
      200, 400, 800, 1_600, 3_200, 5_000, 5_000, 5_000,
    ]);
    expect(always(30, new ApiException(503, 'x', '{}', {}))).toBe(5_000);
    expect(always(30, new ApiException(429, 'x', '{}', {}))).toBe(5_000);
  });

  it('grows to 30 s for errors that do not end by themselves', () => {
    expect([1, 5, 8, 9, 20].map((n) => always(n, forbidden))).toEqual([200, 3_200, 25_600, 30_000, 30_000]);
  });
});
