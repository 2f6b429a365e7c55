import { describe, expect, it } from 'vitest';
import type { Canary, CanaryAnalysis, CanaryMetric } from './types.ts';
import { validateCanary } from './validate.ts';
import { canary, messages } from './testing.ts';

const judged = (metrics: CanaryMetric[], analysis: Partial<CanaryAnalysis> = {}): Canary =>
  canary({ metrics, ...analysis });

const latency: CanaryMetric = {
  name: 'request-duration',
  compare: { direction: 'increase', allowedIncrease: 1.1, critical: true, groups: ['latency'] },
};
const errors: CanaryMetric = {
  name: 'errors',
  query: 'sum(rate(http_requests_total{workload="{{ workload }}",code=~"5.."}[30s]))',
  compare: { direction: 'increase', groups: ['errors'] },
};

describe('validation of compared metrics and the judge', () => {
  it('accepts compared metrics with groups, weights, thresholds and an inconclusive limit', () => {
    const c = judged([latency, errors], {
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
    const c = judged([{ ...latency, thresholdRange: { max: 500 } }]);
    expect(messages(c)['spec.analysis.metrics[0].compare']).toMatch(/remove threshold\/thresholdRange/);
  });

  it('refuses thresholds with marginal above pass', () => {
    const c = judged([latency], { judge: { thresholds: { pass: 50, marginal: 75 } } });
    expect(messages(c)['spec.analysis.judge.thresholds']).toBe(
      'marginal 75 is above pass 50: marginal must be at most pass',
    );
  });

  it('refuses group weights that name no compared metric or exceed 100, listing the groups', () => {
    const unknown = judged([latency, errors], { judge: { groupWeights: { latency: 50, cpu: 50 } } });
    expect(messages(unknown)['spec.analysis.judge.groupWeights']).toMatch(
      /group cpu has a weight but no metric .*groups of the compared metrics are latency, errors/,
    );
    const over = judged([latency, errors], { judge: { groupWeights: { latency: 80, errors: 40 } } });
    expect(messages(over)['spec.analysis.judge.groupWeights']).toMatch(/must sum to 100/);
  });

  it('refuses a judge without compared metrics, and ratios on the wrong side of 1', () => {
    const c = judged([{ name: 'request-duration', thresholdRange: { max: 500 } }], { judge: {} });
    expect(messages(c)['spec.analysis.judge']).toMatch(/no metric has compare set/);
    const ratios = judged([{ name: 'request-duration', compare: { allowedIncrease: 0.9 } }]);
    expect(messages(ratios)['spec.analysis.metrics[0].compare.allowedIncrease']).toMatch(
      /ratio ≥ 1 such as 1.1/,
    );
  });

  it('refuses a bad lookback and a negative ratio through the schema', () => {
    const c = judged([{ name: 'request-duration', compare: { allowedDecrease: -1 } }], {
      judge: { lookback: 'soon' },
    });
    const fields = Object.keys(messages(c));
    expect(fields).toContain('spec.analysis.judge.lookback');
    expect(fields).toContain('spec.analysis.metrics[0].compare.allowedDecrease');
  });

  describe('baseline', () => {
    const gateway = (analysis: Partial<CanaryAnalysis>): Canary => {
      const c = judged([latency], analysis);
      const { ingressRef: _ingress, ...spec } = c.spec;
      return {
        ...c,
        spec: {
          ...spec,
          provider: 'gatewayapi:v1',
          ingressController: 'traefik',
          service: { port: 80, gatewayRefs: [{ name: 'public' }] },
        },
      };
    };

    it('accepts a baseline on Gateway API with a maxWeight of at most 50', () => {
      expect(validateCanary(gateway({ judge: { baseline: true } }))).toEqual([]);
      expect(
        validateCanary(
          gateway({ maxWeight: undefined, stepWeights: [5, 20, 50], judge: { baseline: true } }),
        ),
      ).toEqual([]);
    });

    it('refuses a baseline on ingress-nginx, saying its canary Ingress has one weight', () => {
      const c = judged([latency], { judge: { baseline: true } });
      expect(messages(c)['spec.analysis.judge.baseline']).toBe(
        "needs spec.provider gatewayapi:v1: ingress-nginx's canary Ingress has one weight (canary-weight) and cannot give a baseline its own share; route with Gateway API or remove baseline (the primary is then the control)",
      );
    });

    it('refuses a weight above 50, from maxWeight, its default or stepWeights', () => {
      const max = gateway({ maxWeight: 60, judge: { baseline: true } });
      expect(messages(max)['spec.analysis.judge.baseline']).toMatch(
        /weight reaches 60.*primary 100 - 2 × weight: set maxWeight \(or the last stepWeights entry\) to at most 50/,
      );
      const unset = gateway({ maxWeight: undefined, judge: { baseline: true } });
      expect(messages(unset)['spec.analysis.judge.baseline']).toMatch(/weight reaches 100/);
      const steps = gateway({ maxWeight: undefined, stepWeights: [10, 30, 80], judge: { baseline: true } });
      expect(messages(steps)['spec.analysis.judge.baseline']).toMatch(/weight reaches 80/);
    });

    it('refuses a baseline with iterations (no share of its own)', () => {
      const c = gateway({ iterations: 5, stepWeight: undefined, judge: { baseline: true } });
      expect(messages(c)['spec.analysis.judge.baseline']).toMatch(/needs a weighted canary/);
    });
  });
});
