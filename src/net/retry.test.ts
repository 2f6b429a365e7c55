import { describe, expect, it } from 'vitest';
import { OutboundError } from './errors.ts';
import { MAX_RETRIES, pause, retryDelay, withRetries, type RetryPolicy } from './retry.ts';

const policy: RetryPolicy = { retries: 3, baseDelayMs: 100, maxDelayMs: 1_000 };
const low = () => 0;
const high = () => 1;
const unreachable = new OutboundError('EUNREACHABLE', 'connect ECONNREFUSED 127.0.0.1:1');

describe('retryDelay', () => {
  it('retries refused connections and 429/502/503/504, nothing else', () => {
    expect(retryDelay(policy, 1, { error: unreachable }, high)).toBe(100);
    for (const status of [429, 502, 503, 504]) expect(retryDelay(policy, 1, { status }, high)).toBe(100);
    for (const status of [200, 301, 400, 401, 404, 500, 501]) {
      expect(retryDelay(policy, 1, { status }, high)).toBeUndefined();
    }
    for (const code of ['ETIMEOUT', 'EABORTED', 'ETOOLARGE', 'EREDIRECT'] as const) {
      expect(retryDelay(policy, 1, { error: new OutboundError(code, 'x') }, high)).toBeUndefined();
    }
    expect(retryDelay(policy, 1, { error: new Error('not an outbound error') }, high)).toBeUndefined();
  });

  it("stops after the policy's retries, and never after more than MAX_RETRIES", () => {
    expect(retryDelay(policy, 3, { status: 503 }, high)).toBeDefined();
    expect(retryDelay(policy, 4, { status: 503 }, high)).toBeUndefined();
    expect(retryDelay({ retries: 0 }, 1, { status: 503 })).toBeUndefined();
    expect(retryDelay({ retries: 1000 }, MAX_RETRIES, { status: 503 })).toBeDefined();
    expect(retryDelay({ retries: 1000 }, MAX_RETRIES + 1, { status: 503 })).toBeUndefined();
  });

  it('doubles the delay up to the cap, with equal jitter in [d/2, d]', () => {
    expect(
      [1, 2, 3, 4, 5].map((r) => retryDelay({ ...policy, retries: 5 }, r, { status: 503 }, high)),
    ).toEqual([100, 200, 400, 800, 1000]);
    expect(
      [1, 2, 3, 4, 5].map((r) => retryDelay({ ...policy, retries: 5 }, r, { status: 503 }, low)),
    ).toEqual([50, 100, 200, 400, 500]);
  });

  it('honours Retry-After in seconds, up to the cap', () => {
    expect(retryDelay(policy, 1, { status: 429, retryAfter: '0' }, high)).toBe(100);
    expect(retryDelay(policy, 1, { status: 429, retryAfter: ' 1 ' }, low)).toBe(1000);
    expect(retryDelay(policy, 1, { status: 429, retryAfter: '3600' }, low)).toBe(1000);
    expect(retryDelay(policy, 1, { status: 429, retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT' }, low)).toBe(50);
  });
});

describe('withRetries', () => {
  const fast: RetryPolicy = { retries: 3, baseDelayMs: 1, maxDelayMs: 5 };

  it('retries until an answer that is not retried, and returns it', async () => {
    const statuses = [503, 502, 200];
    let calls = 0;
    const res = await withRetries(async () => ({ status: statuses[calls++] }), fast);
    expect(res.status).toBe(200);
    expect(calls).toBe(3);
  });

  it('returns the last answer when the retries ran out, and rethrows an error that is not retried', async () => {
    let calls = 0;
    await expect(withRetries(async () => ({ status: 503, n: ++calls }), fast)).resolves.toEqual({
      status: 503,
      n: 4,
    });
    calls = 0;
    const err = new OutboundError('ETIMEOUT', 'slow');
    await expect(
      withRetries(async () => {
        calls++;
        throw err;
      }, fast),
    ).rejects.toBe(err);
    expect(calls).toBe(1);
  });

  it('stops waiting at once when the signal aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('lost the lease');
    let calls = 0;
    const run = withRetries(
      async () => {
        calls++;
        throw unreachable;
      },
      { retries: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      controller.signal,
    );
    setTimeout(() => controller.abort(reason), 20);
    const started = performance.now();
    const err = await run.catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(err).toMatchObject({ code: 'EABORTED', cause: reason });
    expect(calls).toBe(1);
    await expect(pause(10, controller.signal)).rejects.toMatchObject({ code: 'EABORTED' });
  });
});
