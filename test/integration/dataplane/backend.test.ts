import { afterEach, describe, expect, it } from 'vitest';
import { TestBackend } from '../../../src/dataplane/backend.ts';

async function statuses(url: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await fetch(url)).status);
  return out;
}

describe('TestBackend', () => {
  let backend: TestBackend;
  afterEach(() => backend?.close());

  it('fails exactly every k-th request for an error rate of 1/k and counts requests', async () => {
    backend = await TestBackend.start({ name: 'canary', errorRate: 0.25 });
    expect(backend.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await statuses(backend.url, 8)).toEqual([200, 200, 200, 500, 200, 200, 200, 500]);
    backend.setErrorRate(0.5);
    expect(await statuses(backend.url, 4)).toEqual([200, 500, 200, 500]);
    backend.setErrorRate(0);
    expect(await statuses(backend.url, 2)).toEqual([200, 200]);
    expect(backend.stats).toEqual({ requests: 14, errors: 4 });
  });

  it('draws failures from a seed reproducibly', async () => {
    backend = await TestBackend.start({ errorRate: 0.3, seed: 42 });
    const first = await statuses(backend.url, 50);
    await backend.close();
    backend = await TestBackend.start({ errorRate: 0.3, seed: 42 });
    expect(await statuses(backend.url, 50)).toEqual(first);
    expect(first.filter((s) => s === 500).length).toBeGreaterThan(5);
  });

  it('adds latency, answers /token like podinfo and leaves probes out of the counts', async () => {
    backend = await TestBackend.start({ name: 'primary' });
    backend.setLatency(150);
    const started = performance.now();
    const res = await fetch(`${backend.url}/token`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(res.headers.get('x-backend')).toBe('primary');
    expect(await res.json()).toMatchObject({ token: expect.any(String) });
    expect((await fetch(`${backend.url}/healthz`)).status).toBe(200);
    expect(backend.requests).toBe(1);
    expect(() => backend.setErrorRate(1.5)).toThrow(RangeError);
  });
});
