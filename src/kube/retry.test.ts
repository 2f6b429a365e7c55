import { describe, expect, it } from 'vitest';
import { ApiException } from './client.ts';
import { backoffDelay, isUnavailable } from './retry.ts';

/** What undici's fetch throws when nothing answers: a TypeError whose cause carries the socket's code. */
const fetchFailed = (code: string) =>
  new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ${code}`), { code }) });

describe('isUnavailable', () => {
  it('is true when the API server gave no answer', () => {
    for (const code of [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'UND_ERR_SOCKET',
      'UND_ERR_CONNECT_TIMEOUT',
    ])
      expect(isUnavailable(fetchFailed(code)), code).toBe(true);
    // A watch stream cut mid-body.
    expect(isUnavailable(new TypeError('terminated', { cause: fetchFailed('UND_ERR_SOCKET').cause }))).toBe(
      true,
    );
    expect(isUnavailable(new DOMException('timed out', 'TimeoutError'))).toBe(true);
  });

  it('is true for 429 and 5xx answers, from the generated client and from a watch', () => {
    for (const code of [429, 500, 502, 503, 504])
      expect(isUnavailable(new ApiException(code, 'x', '{}', {})), String(code)).toBe(true);
    expect(isUnavailable(Object.assign(new Error('Service Unavailable'), { statusCode: 503 }))).toBe(true);
  });

  it('is false for answers that will not change by themselves and for other failures', () => {
    for (const code of [400, 401, 403, 404, 409, 410, 422])
      expect(isUnavailable(new ApiException(code, 'x', '{}', {})), String(code)).toBe(false);
    expect(isUnavailable(Object.assign(new Error('Forbidden'), { statusCode: 403 }))).toBe(false);
    expect(isUnavailable(fetchFailed('DEPTH_ZERO_SELF_SIGNED_CERT'))).toBe(false);
    expect(isUnavailable(new Error('no decision after 8 rounds of checks'))).toBe(false);
    expect(isUnavailable(undefined)).toBe(false);
    expect(isUnavailable('ECONNREFUSED')).toBe(false);
  });

  it('looks through errors wrapped with a cause', () => {
    const conflict = new Error('status changed meanwhile', { cause: new ApiException(409, 'x', '{}', {}) });
    expect(isUnavailable(conflict)).toBe(false);
    const wrapped = new Error('writing the Ingress failed', { cause: new ApiException(503, 'x', '{}', {}) });
    expect(isUnavailable(wrapped)).toBe(true);
    expect(isUnavailable(new Error('apply failed', { cause: fetchFailed('ECONNREFUSED') }))).toBe(true);
  });

  it('ends on a cycle of causes', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(isUnavailable(a)).toBe(false);
  });
});

describe('backoffDelay', () => {
  it('doubles from the first delay up to the cap, drawn from the upper half', () => {
    const low = (n: number) => backoffDelay(n, 500, 2_000, () => 0);
    const high = (n: number) => backoffDelay(n, 500, 2_000, () => 1);
    expect([1, 2, 3, 4, 10, 1000].map(low)).toEqual([250, 500, 1_000, 1_000, 1_000, 1_000]);
    expect([1, 2, 3, 4, 10, 1000].map(high)).toEqual([500, 1_000, 2_000, 2_000, 2_000, 2_000]);
  });

  it('stays within [d/2, d] for random draws and treats attempt 0 as the first', () => {
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(3, 200, 5_000);
      expect(d).toBeGreaterThanOrEqual(400);
      expect(d).toBeLessThanOrEqual(800);
    }
    expect(backoffDelay(0, 200, 5_000, () => 1)).toBe(200);
  });
});
