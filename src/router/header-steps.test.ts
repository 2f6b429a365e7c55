import { describe, expect, it } from 'vitest';
import type { CanarySpec, HttpMatch } from '../api/types.ts';
import { buildHttpRoute, routesOfHttpRoute } from './gatewayapi.ts';
import { nginxRouter } from './router.ts';

/** analysis.steps: a header route kept beside the weight of later steps, on both providers. */
const owner = { apiVersion: 'kanaria.dev/v1beta1', kind: 'Canary', name: 'podinfo', uid: 'u-1' };
const INSIDERS: HttpMatch[] = [{ headers: { 'x-canary': { exact: 'insider' } } }];
const steps = [{ setHeaderRoute: { match: INSIDERS } }, { setWeight: 10 }];

describe('a header route beside a weight (analysis.steps)', () => {
  it('ingress-nginx: the header annotations and canary-weight on the same canary Ingress', () => {
    const spec: CanarySpec = {
      provider: 'nginx',
      targetRef: { name: 'podinfo' },
      ingressRef: { name: 'podinfo' },
      service: { port: 80 },
      analysis: { interval: '1m', steps },
    };
    const source = {
      metadata: { name: 'podinfo', namespace: 'test' },
      spec: { defaultBackend: { service: { name: 'podinfo', port: { number: 80 } } } },
    };
    const router = nginxRouter({ prefix: 'nginx.ingress.kubernetes.io' });
    const built = router.build({
      spec,
      namespace: 'test',
      owner,
      source,
      routes: { weight: 10, match: true, rules: INSIDERS },
    });
    expect(built?.metadata?.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '10',
      'nginx.ingress.kubernetes.io/canary-by-header': 'x-canary',
      'nginx.ingress.kubernetes.io/canary-by-header-value': 'insider',
    });
    expect(router.routes(built, spec)).toEqual({ weight: 10, match: true });
    // Removed (rollback, finalising): no header annotation is left behind.
    const removed = router.build({
      spec,
      namespace: 'test',
      owner,
      source,
      routes: { weight: 0, match: false },
    });
    expect(Object.keys(removed?.metadata?.annotations ?? {}).filter((k) => k.includes('by-header'))).toEqual(
      [],
    );
  });

  it('Gateway API: a match rule to the canary before the weighted rule, which keeps the weight', () => {
    const spec: CanarySpec = {
      provider: 'gatewayapi:v1',
      targetRef: { name: 'podinfo' },
      service: { port: 9898, gatewayRefs: [{ name: 'public' }] },
      analysis: { interval: '1m', steps },
    };
    const route = buildHttpRoute({
      spec,
      namespace: 'test',
      owner,
      routes: { weight: 10, match: true, rules: INSIDERS },
    });
    const rules = route.spec!.rules!;
    expect(rules).toHaveLength(2);
    expect(rules[0].matches?.[0].headers).toEqual([{ type: 'Exact', name: 'x-canary', value: 'insider' }]);
    expect(rules[0].backendRefs!.map((b) => [b.name, b.weight])).toEqual([
      ['podinfo-primary', 0],
      ['podinfo-canary', 100],
    ]);
    expect(rules[1].backendRefs!.map((b) => [b.name, b.weight])).toEqual([
      ['podinfo-primary', 90],
      ['podinfo-canary', 10],
    ]);
    expect(routesOfHttpRoute(route, spec)).toEqual({ weight: 10, match: true });
  });
});
