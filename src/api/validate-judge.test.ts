import { describe, expect, it } from 'vitest';
import type { Canary, CanaryAnalysis, CanaryMetric } from './types.ts';
import { validateCanary } from './validate.ts';

function canary(metrics: CanaryMetric[], analysis: Partial<CanaryAnalysis> = {}): Canary {
  return {
    apiVersion: 'kanaria.dev/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'podinfo' },
      service: { port: 80, targetPort: 9898 },
      analysis: { interval: '1m', threshold: 5, maxWeight: 50, stepWeight: 10, metrics, ...analysis },
    },
  };
}

const latency: CanaryMetric = {
  name: 'request-duration',
  compare: { direction: 'increase', allowedIncrease: 1.1, critical: true, groups: ['latency'] },
};
const errors: CanaryMetric = {
  name: 'errors',
  query: 'sum(rate(http_requests_total{workload="{{ workload }}",code=~"5.."}[30s]))',
  compare: { direction: 'increase', groups: ['errors'] },
};

function messages(c: Canary): Record<string, string> {
  return Object.fromEntries(validateCanary(c).map((i) => [i.field, i.message]));
}

describe('validation of compared metrics and the judge', () => {
  it('accepts compared metrics with groups, weights, thresholds and an inconclusive limit', () => {
    const c = canary([latency, errors], {
      judge: {
        lookback: '1m',
        sampleStep: '5s',
        thresholds: { pass: 80, marginal: 60 },
        groupWeights: { latency: 70, errors: 30 },
        inconclusiveLimit: 4,
        minSampleSize: 8,
      },
    });
    expect(validateCanary(c)).toEqual([]);
  });

  it('refuses a compared metric that also has a fixed range, naming both fixes', () => {
    const c = canary([{ ...latency, thresholdRange: { max: 500 } }]);
    expect(messages(c)['spec.analysis.metrics[0].compare']).toMatch(/remove threshold\/thresholdRange/);
  });

  it('refuses thresholds with marginal above pass', () => {
    const c = canary([latency], { judge: { thresholds: { pass: 50, marginal: 75 } } });
    expect(messages(c)['spec.analysis.judge.thresholds']).toBe(
      'marginal 75 is above pass 50: marginal must be at most pass',
    );
  });

  it('refuses group weights that name no compared metric or exceed 100, listing the groups', () => {
    const unknown = canary([latency, errors], { judge: { groupWeights: { latency: 50, cpu: 50 } } });
    expect(messages(unknown)['spec.analysis.judge.groupWeights']).toMatch(
      /group cpu has a weight but no metric .*groups of the compared metrics are latency, errors/,
    );
    const over = canary([latency, errors], { judge: { groupWeights: { latency: 80, errors: 40 } } });
    expect(messages(over)['spec.analysis.judge.groupWeights']).toMatch(/must sum to 100/);
  });

  it('refuses a judge without compared metrics, and ratios on the wrong side of 1', () => {
    const c = canary([{ name: 'request-duration', thresholdRange: { max: 500 } }], { judge: {} });
    expect(messages(c)['spec.analysis.judge']).toMatch(/no metric has compare set/);
    const ratios = canary([{ name: 'request-duration', compare: { allowedIncrease: 0.9 } }]);
    expect(messages(ratios)['spec.analysis.metrics[0].compare.allowedIncrease']).toMatch(
      /ratio ≥ 1 such as 1.1/,
    );
  });

  it('refuses a bad lookback and a negative ratio through the schema', () => {
    const c = canary([{ name: 'request-duration', compare: { allowedDecrease: -1 } }], {
      judge: { lookback: 'soon' },
    });
    const fields = Object.keys(messages(c));
    expect(fields).toContain('spec.analysis.judge.lookback');
    expect(fields).toContain('spec.analysis.metrics[0].compare.allowedDecrease');
  });
});
