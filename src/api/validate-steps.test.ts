import { describe, expect, it } from 'vitest';
import type { ReleaseStep } from './steps.ts';
import type { Canary, CanaryAnalysis, CanarySpec } from './types.ts';
import { validateCanary } from './validate.ts';
import { withDefaults } from './defaults.ts';
import { messages } from './testing.ts';

const INSIDERS = [{ headers: { 'x-canary': { exact: 'insider' } } }];

function canary(
  steps: ReleaseStep[],
  analysis: Partial<CanaryAnalysis> = {},
  spec: Partial<CanarySpec> = {},
): Canary {
  return {
    apiVersion: 'kanaria.dev/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'podinfo' },
      service: { port: 80, targetPort: 9898 },
      analysis: { interval: '1m', steps, ...analysis },
      ...spec,
    },
  };
}

const RELEASE: ReleaseStep[] = [
  { setHeaderRoute: { match: INSIDERS } },
  { setWeight: 1 },
  { pause: {} },
  { setWeight: 10, interval: '2m' },
  { pause: { duration: '10m' } },
  { setWeight: 50 },
];

describe('validation of analysis.steps', () => {
  it('accepts header, weights, open and timed pauses, and per-step intervals', () => {
    expect(validateCanary(canary(RELEASE))).toEqual([]);
  });

  it('defaults maxWeight to the highest setWeight and sets no stepWeight beside steps', () => {
    const spec = withDefaults(canary(RELEASE).spec);
    expect(spec.analysis.maxWeight).toBe(50);
    expect(spec.analysis.stepWeight).toBeUndefined();
  });

  it('refuses the fields of the other strategies beside steps, saying which to remove', () => {
    const m = messages(
      canary(RELEASE, {
        iterations: 5,
        stepWeight: 10,
        stepWeights: [5, 10],
        match: INSIDERS,
        maxWeight: 50,
      }),
    );
    expect(m['spec.analysis.iterations']).toMatch(
      /^cannot be combined with analysis.steps: iterations analyse at one fixed route .* remove iterations or steps$/,
    );
    expect(m['spec.analysis.stepWeight']).toContain('setWeight steps give the weights');
    expect(m['spec.analysis.stepWeights']).toContain('remove stepWeights or steps');
    expect(m['spec.analysis.match']).toContain('put the header conditions in a setHeaderRoute step');
    expect(m['spec.analysis.maxWeight']).toContain('the highest setWeight is the maximum');
  });

  it('refuses a step that does nothing or more than one thing', () => {
    const m = messages(canary([{ setWeight: 10, pause: {} }, {}, { setWeight: 20 }]));
    expect(m['spec.analysis.steps[0]']).toBe(
      'sets setWeight and pause: a step does one thing; split it into 2 steps',
    );
    expect(m['spec.analysis.steps[1]']).toMatch(/^sets nothing: give it one of setWeight/);
  });

  it('refuses steps that never send the canary a request, and a removal of a header route never set', () => {
    const m = messages(canary([{ setHeaderRoute: {} }, { pause: { duration: '1m' } }, { setWeight: 0 }]));
    expect(m['spec.analysis.steps[0].setHeaderRoute']).toContain('no earlier step sets one');
    expect(m['spec.analysis.steps']).toContain('send the canary no requests');
  });

  it("checks a header route's conditions for what the provider can route on", () => {
    const nginx = messages(
      canary([
        {
          setHeaderRoute: {
            match: [{ headers: { 'x-a': { prefix: 'in' } }, queryParams: { q: { exact: '1' } } }],
          },
        },
        { setWeight: 5 },
      ]),
    );
    expect(nginx['spec.analysis.steps[0].setHeaderRoute.match[0].headers["x-a"].prefix']).toContain(
      'prefix matching is not supported by ingress-nginx',
    );
    expect(nginx['spec.analysis.steps[0].setHeaderRoute.match[0].queryParams']).toContain(
      'use provider gatewayapi:v1',
    );
    const gateway = messages(
      canary(
        [{ setHeaderRoute: { match: [{ queryParams: { q: { exact: '1' } } }] } }, { setWeight: 5 }],
        {},
        { provider: 'gatewayapi:v1', service: { port: 80, gatewayRefs: [{ name: 'gw' }] } },
      ),
    );
    expect(gateway).toEqual({});
  });

  it('a baseline needs every setWeight at 50 or below', () => {
    const m = messages(
      canary(
        [{ setWeight: 20 }, { setWeight: 60 }],
        {
          judge: { baseline: true },
          metrics: [{ name: 'request-duration', compare: { direction: 'increase' } }],
        },
        {
          provider: 'gatewayapi:v1',
          service: { port: 80, gatewayRefs: [{ name: 'gw' }] },
        },
      ),
    );
    expect(m['spec.analysis.judge.baseline']).toContain("the canary's weight reaches 60");
  });
});
