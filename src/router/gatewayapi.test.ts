import { describe, expect, it } from 'vitest';
import type { CanarySpec } from '../api/types.ts';
import { buildHttpRoute, routesOfHttpRoute } from './gatewayapi.ts';
import type { HTTPRoute } from './httproute-types.ts';
import { gatewayApiRouter, nginxRouter, routerFor } from './router.ts';

const owner = { apiVersion: 'kanaria.dev/v1beta1', kind: 'Canary', name: 'podinfo', uid: 'u-1' };

function spec(extra: Partial<CanarySpec> = {}, analysis: Partial<CanarySpec['analysis']> = {}): CanarySpec {
  return {
    provider: 'gatewayapi:v1',
    targetRef: { name: 'podinfo' },
    service: {
      port: 9898,
      hosts: ['app.example.com'],
      gatewayRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'http' }],
    },
    analysis: { interval: '1m', stepWeight: 10, ...analysis },
    ...extra,
  };
}

const build = (s: CanarySpec, weight: number, match = false) =>
  buildHttpRoute({ spec: s, namespace: 'test', owner, routes: { weight, match } });

describe('buildHttpRoute', () => {
  it('names the route after the apex, owns it and splits primary 100-w / canary w', () => {
    const route = build(spec(), 30);
    expect(route.metadata).toMatchObject({
      name: 'podinfo',
      namespace: 'test',
      labels: { 'app.kubernetes.io/managed-by': 'kanaria' },
      ownerReferences: [{ kind: 'Canary', name: 'podinfo', uid: 'u-1', controller: true }],
    });
    expect(route.spec).toEqual({
      parentRefs: [
        {
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          name: 'public',
          namespace: 'gateways',
          sectionName: 'http',
        },
      ],
      hostnames: ['app.example.com'],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: [
            { group: '', kind: 'Service', name: 'podinfo-primary', port: 9898, weight: 70 },
            { group: '', kind: 'Service', name: 'podinfo-canary', port: 9898, weight: 30 },
          ],
        },
      ],
    });
  });

  it('starts at 100/0 and passes the request timeout to every rule', () => {
    const route = build(spec({ service: { ...spec().service, timeout: '15s' } }), 0);
    const rule = route.spec!.rules![0];
    expect(rule.backendRefs!.map((b) => b.weight)).toEqual([100, 0]);
    expect(rule.timeouts).toEqual({ request: '15s' });
  });

  it('A/B: a rule with all conditions of one match entry at once goes to the canary, before the weighted rule', () => {
    const s = spec(
      {},
      {
        iterations: 5,
        match: [
          {
            headers: { 'x-canary': { exact: 'insider' }, 'x-region': { prefix: 'eu.' } },
            queryParams: { beta: { exact: 'yes' } },
          },
          { headers: { cookie: { exact: 'canary' } } },
          { headers: { Cookie: { regex: '^(.*?;)?(flag=on)(;.*)?$' } } },
        ],
      },
    );
    const rules = build(s, 0, true).spec!.rules!;
    expect(rules).toHaveLength(2);
    expect(rules[0].matches).toEqual([
      {
        path: { type: 'PathPrefix', value: '/' },
        headers: [
          { type: 'Exact', name: 'x-canary', value: 'insider' },
          { type: 'RegularExpression', name: 'x-region', value: '^eu\\..*' },
        ],
        queryParams: [{ type: 'Exact', name: 'beta', value: 'yes' }],
      },
      {
        path: { type: 'PathPrefix', value: '/' },
        headers: [{ type: 'RegularExpression', name: 'Cookie', value: '(^|;\\s*)canary=always(;|$)' }],
      },
      {
        path: { type: 'PathPrefix', value: '/' },
        headers: [{ type: 'RegularExpression', name: 'Cookie', value: '^(.*?;)?(flag=on)(;.*)?$' }],
      },
    ]);
    expect(rules[0].backendRefs!.map((b) => [b.name, b.weight])).toEqual([
      ['podinfo-primary', 0],
      ['podinfo-canary', 100],
    ]);
    expect(rules[1].backendRefs!.map((b) => b.weight)).toEqual([100, 0]);
  });

  it('uses service.name for the route and Services, and copies the apex metadata', () => {
    const s = spec({
      service: {
        ...spec().service,
        name: 'web',
        apex: { labels: { team: 'a' }, annotations: { note: 'x' } },
      },
    });
    const route = build(s, 10);
    expect(route.metadata?.name).toBe('web');
    expect(route.metadata?.labels).toEqual({ team: 'a', 'app.kubernetes.io/managed-by': 'kanaria' });
    expect(route.metadata?.annotations).toEqual({ note: 'x' });
    expect(route.spec!.rules![0].backendRefs!.map((b) => b.name)).toEqual(['web-primary', 'web-canary']);
  });
});

describe('routesOfHttpRoute', () => {
  it('reads back what was built', () => {
    const s = spec({}, { iterations: 3, match: [{ headers: { 'x-canary': { exact: 'a' } } }] });
    expect(routesOfHttpRoute(build(s, 40), s)).toEqual({ weight: 40, match: false });
    expect(routesOfHttpRoute(build(s, 0, true), s)).toEqual({ weight: 0, match: true });
    expect(routesOfHttpRoute(undefined, s)).toBeUndefined();
  });

  it('reads weights as shares, with the Gateway API default weight of 1', () => {
    const route: HTTPRoute = {
      spec: {
        rules: [{ backendRefs: [{ name: 'podinfo-primary', weight: 3 }, { name: 'podinfo-canary' }] }],
      },
    };
    expect(routesOfHttpRoute(route, spec())).toEqual({ weight: 25, match: false });
  });

  it('sees a hand edit that sends a header rule to the primary only as no A/B route', () => {
    const s = spec({}, { iterations: 3, match: [{ headers: { 'x-canary': { exact: 'a' } } }] });
    const route = build(s, 0, true);
    route.spec!.rules![0].backendRefs![1].weight = 0;
    expect(routesOfHttpRoute(route, s)).toEqual({ weight: 0, match: false });
  });
});

describe('routerFor', () => {
  it('chooses by spec.provider; nginx stays the default', () => {
    expect(routerFor(spec())).toBe(gatewayApiRouter);
    expect(routerFor({ ...spec(), provider: undefined }).kind).toBe('Ingress');
    expect(routerFor({ ...spec(), provider: 'nginx' }).kind).toBe('Ingress');
  });

  it('the nginx router builds the same canary Ingress and reports no readiness', () => {
    const s: CanarySpec = { ...spec(), provider: 'nginx', ingressRef: { name: 'podinfo' } };
    const router = nginxRouter({ prefix: 'nginx.ingress.kubernetes.io' });
    expect(router.routeName(s)).toBe('podinfo-canary');
    expect(router.build({ spec: s, namespace: 'test', owner, routes: { weight: 5, match: false } })).toBe(
      undefined,
    );
    const source = {
      metadata: { name: 'podinfo', namespace: 'test' },
      spec: { defaultBackend: { service: { name: 'podinfo', port: { number: 80 } } } },
    };
    const built = router.build({
      spec: s,
      namespace: 'test',
      owner,
      routes: { weight: 5, match: false },
      source,
    });
    expect(built?.metadata?.annotations?.['nginx.ingress.kubernetes.io/canary-weight']).toBe('5');
    expect(router.routes(built, s)).toEqual({ weight: 5, match: false });
    expect(router.readiness(built, s, 'test')).toBeUndefined();
  });
});

describe('session affinity', () => {
  const sticky = spec({}, { sessionAffinity: { cookieName: 'canary-session', maxAge: 600 } });
  const at = (weight: number, match = false) =>
    buildHttpRoute({
      spec: sticky,
      namespace: 'test',
      owner,
      routes: { weight, match },
      revision: 'ab12cd34ef56',
    });

  it('while the canary has a weight: its answers set the cookie, requests with it go to the canary', () => {
    const rules = at(20).spec!.rules!;
    expect(rules).toHaveLength(2);
    expect(rules[0].matches).toEqual([
      {
        path: { type: 'PathPrefix', value: '/' },
        headers: [
          { type: 'RegularExpression', name: 'Cookie', value: '(^|;\\s*)canary-session=kab12cd34ef56(;|$)' },
        ],
      },
    ]);
    expect(rules[0].backendRefs?.map((b) => [b.name, b.weight])).toEqual([
      ['podinfo-primary', 0],
      ['podinfo-canary', 100],
    ]);
    expect(rules[1].backendRefs?.[1].filters).toEqual([
      {
        type: 'ResponseHeaderModifier',
        responseHeaderModifier: {
          add: [{ name: 'Set-Cookie', value: 'canary-session=kab12cd34ef56; Max-Age=600; Path=/' }],
        },
      },
    ]);
    expect(rules[1].backendRefs?.[0].filters).toBeUndefined();
    // The cookie rule is not A/B routing: the routes read back are the weight alone.
    expect(routesOfHttpRoute(at(20), sticky)).toEqual({ weight: 20, match: false });
  });

  it('at weight 0 (between releases, after a rollback) nobody stays on the canary', () => {
    const rules = at(0).spec!.rules!;
    expect(rules).toHaveLength(1);
    expect(rules[0].backendRefs?.every((b) => b.filters === undefined)).toBe(true);
  });

  it('an A/B rule on the same cookie name is still A/B', () => {
    const ab = spec(
      {},
      {
        sessionAffinity: { cookieName: 'canary' },
        iterations: 3,
        match: [{ headers: { cookie: { exact: 'canary' } } }],
      },
    );
    const route = buildHttpRoute({
      spec: ab,
      namespace: 'test',
      owner,
      routes: { weight: 0, match: true },
      revision: 'r1',
    });
    expect(routesOfHttpRoute(route, ab)).toEqual({ weight: 0, match: true });
  });
});

describe('baseline (analysis.judge.baseline)', () => {
  const withBaseline = () => spec({}, { maxWeight: 50, judge: { baseline: true } });
  const weights = (weight: number, match = false) =>
    build(withBaseline(), weight, match)
      .spec!.rules!.at(-1)!
      .backendRefs!.map((b) => [b.name, b.weight]);

  it('gives the baseline the canary weight w and the primary 100 - 2w', () => {
    expect(weights(20)).toEqual([
      ['podinfo-primary', 60],
      ['podinfo-baseline', 20],
      ['podinfo-canary', 20],
    ]);
    expect(weights(50)).toEqual([
      ['podinfo-primary', 0],
      ['podinfo-baseline', 50],
      ['podinfo-canary', 50],
    ]);
  });

  it('has no baseline backend at weight 0 (no release, after a rollback) nor for an A/B route', () => {
    expect(weights(0)).toEqual([
      ['podinfo-primary', 100],
      ['podinfo-canary', 0],
    ]);
    const ab = build(withBaseline(), 0, true);
    expect(ab.spec!.rules!.flatMap((r) => r.backendRefs!.map((b) => b.name))).not.toContain(
      'podinfo-baseline',
    );
  });

  it("never gives the primary a negative weight, and reads back the canary's weight", () => {
    expect(weights(70)).toEqual([
      ['podinfo-primary', 0],
      ['podinfo-baseline', 30],
      ['podinfo-canary', 70],
    ]);
    expect(routesOfHttpRoute(build(withBaseline(), 30), withBaseline())).toEqual({
      weight: 30,
      match: false,
    });
  });

  it('without baseline the route has no baseline backend', () => {
    expect(build(spec(), 30).spec!.rules![0].backendRefs!.map((b) => b.name)).toEqual([
      'podinfo-primary',
      'podinfo-canary',
    ]);
  });
});
