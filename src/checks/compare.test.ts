import { describe, expect, it } from 'vitest';
import type { CanaryMetric } from '../api/types.ts';
import { runComparison, type ComparisonInput } from './compare.ts';
import type { MetricProvider } from './metrics/provider.ts';

/** A provider that answers every range query with the same samples and keeps the queries it ran. */
function recordingProvider(queries: string[]): MetricProvider {
  return {
    runQuery: () => Promise.resolve(0),
    isOnline: () => Promise.resolve(),
    runRangeQuery: (query) => {
      queries.push(query);
      return Promise.resolve(Array.from({ length: 10 }, (_, k) => 100 + (k % 3)));
    },
  };
}

const canary = {
  name: 'podinfo',
  namespace: 'test',
  target: 'podinfo',
  service: 'app',
  ingressController: 'traefik' as const,
  port: 80,
  routes: ['gateway' as const],
};

async function queriesOf(metric: CanaryMetric, baseline: boolean): Promise<string[]> {
  const queries: string[] = [];
  const input: ComparisonInput = {
    metric,
    judge: baseline ? { baseline: true } : {},
    analysisInterval: '1m',
    canary,
    provider: recordingProvider(queries),
    now: Date.parse('2026-12-01T00:00:00Z'),
  };
  const result = await runComparison(input);
  expect(result.kind).toBe('compare');
  return queries;
}

describe('the control side of a compared metric', () => {
  const custom: CanaryMetric = {
    name: 'latency',
    query: 'avg(latency{deployment="{{ workload }}",side="{{ side }}"})',
    compare: {},
  };

  it('is the primary by default: {{ workload }} is <target>-primary', async () => {
    expect(await queriesOf(custom, false)).toEqual([
      'avg(latency{deployment="podinfo",side="canary"})',
      'avg(latency{deployment="podinfo-primary",side="control"})',
    ]);
  });

  it('is the baseline with analysis.judge.baseline: {{ workload }} is <target>-baseline', async () => {
    expect(await queriesOf(custom, true)).toEqual([
      'avg(latency{deployment="podinfo",side="canary"})',
      'avg(latency{deployment="podinfo-baseline",side="control"})',
    ]);
  });

  it("built-in metrics on Traefik's Gateway provider read the HTTPRoute's -baseline backend", async () => {
    const [canarySide, control] = await queriesOf({ name: 'request-duration', compare: {} }, true);
    expect(canarySide).toContain('svc-test-app-canary-');
    expect(control).toContain('svc-test-app-baseline-');
    expect(control).not.toContain('app-primary');
  });
});
