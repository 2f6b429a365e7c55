import { describe, expect, it } from 'vitest';
import type { Canary, CanaryAnalysis, CanaryService, CanarySpec } from './types.ts';
import { validateCanary } from './validate.ts';

function canary(spec: Partial<CanarySpec>, analysis: Partial<CanaryAnalysis> = {}): Canary {
  return {
    apiVersion: 'kanaria.dev/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 80 },
      ...spec,
      analysis: { interval: '1m', stepWeight: 10, ...analysis },
    },
  };
}

const gateway = (service: Partial<CanaryService> = {}) => ({
  provider: 'gatewayapi:v1',
  service: { port: 80, gatewayRefs: [{ name: 'public', namespace: 'gateways' }], ...service },
});

const issues = (c: Canary) => validateCanary(c);

describe('provider gatewayapi:v1', () => {
  it('accepts gatewayRefs, hosts and timeout', () => {
    expect(issues(canary(gateway({ hosts: ['app.example.com'], timeout: '15s' })))).toEqual([]);
  });

  it('requires gatewayRefs, naming the field', () => {
    const found = issues(canary({ provider: 'gatewayapi:v1' }));
    expect(found.map((i) => i.field)).toEqual(['spec.service.gatewayRefs']);
    expect(found[0].message).toContain('required for provider gatewayapi:v1');
  });

  it('rejects the built-in metrics unless Traefik serves the Gateway', () => {
    const c = canary(gateway(), {
      metrics: [
        { name: 'request-success-rate', thresholdRange: { min: 99 } },
        { name: 'error-rate', templateRef: { name: 'error-rate' } },
      ],
    });
    const found = issues(c);
    expect(found.map((i) => i.field)).toEqual(['spec.analysis.metrics[0].name']);
    expect(found[0].message).toContain('ingressController: traefik');
    expect(found[0].message).toContain('MetricTemplate');
  });

  it('accepts an ingressRef: the Canary is moving off its canary Ingress', () => {
    expect(issues(canary({ ...gateway(), ingressRef: { name: 'podinfo' } }))).toEqual([]);
  });

  it("accepts the built-in metrics when Traefik's series are read", () => {
    const c = canary(
      { ...gateway(), ingressController: 'traefik' },
      { metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 } }] },
    );
    expect(issues(c)).toEqual([]);
  });

  it('allows several headers, cookies, query parameters and prefixes, which ingress-nginx cannot route', () => {
    const c = canary(gateway(), {
      stepWeight: undefined,
      iterations: 5,
      match: [
        {
          headers: { 'x-a': { exact: '1' }, 'x-b': { prefix: 'b' }, cookie: { exact: 'canary' } },
          queryParams: { beta: { exact: 'yes' } },
        },
        { headers: { 'x-c': { regex: '^c' } } },
      ],
    });
    expect(issues(c)).toEqual([]);
  });

  it('still wants one match type per value, some condition per entry, and iterations', () => {
    const c = canary(gateway(), { match: [{ headers: { 'x-a': { exact: '1', regex: '1' } } }, {}] });
    expect(issues(c).map((i) => i.field)).toEqual([
      'spec.analysis.match[0].headers["x-a"]',
      'spec.analysis.match[1]',
      'spec.analysis.iterations',
    ]);
  });

  it('rejects an unknown provider at the schema', () => {
    expect(issues(canary({ ...gateway(), provider: 'istio' })).map((i) => i.field)).toEqual([
      'spec.provider',
    ]);
  });
});

describe('provider nginx', () => {
  it('rejects session affinity, which needs an HTTPRoute', () => {
    const c = canary({ ingressRef: { name: 'podinfo' } }, { sessionAffinity: { cookieName: 'canary' } });
    expect(issues(c).map((i) => i.field)).toEqual(['spec.analysis.sessionAffinity']);
    expect(issues(canary(gateway(), { sessionAffinity: { cookieName: 'canary' } }))).toEqual([]);
  });

  it('rejects the HTTPRoute fields without gatewayRefs, naming each', () => {
    const c = canary({
      ingressRef: { name: 'podinfo' },
      service: { port: 80, hosts: ['a.example.com'], timeout: '5s' },
    });
    expect(issues(c).map((i) => i.field)).toEqual(['spec.service.hosts', 'spec.service.timeout']);
  });

  it('accepts gatewayRefs with hosts and timeout: the Canary is moving off its HTTPRoute', () => {
    const c = canary({
      ingressRef: { name: 'podinfo' },
      service: { port: 80, gatewayRefs: [{ name: 'public' }], hosts: ['a.example.com'], timeout: '5s' },
    });
    expect(issues(c)).toEqual([]);
  });

  it('rejects query parameter matches, which ingress-nginx cannot route', () => {
    const c = canary(
      { ingressRef: { name: 'podinfo' } },
      { iterations: 3, match: [{ headers: { 'x-a': { exact: '1' } }, queryParams: { b: { exact: '1' } } }] },
    );
    expect(issues(c).map((i) => i.field)).toEqual(['spec.analysis.match[0].queryParams']);
  });
});
