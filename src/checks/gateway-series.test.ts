/**
 * The Gateway-provider selectors against the service labels a real Traefik 3.7.13 exported for an HTTPRoute
 * (testdata/traefik-gateway-answers.json: route `split` in namespace `test`, backends app-a and app-b).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinQuery, traefikCanaryService } from './metrics/builtin.ts';
import { routeRequestsQuery } from './route-requests.ts';
import { splitQueries } from './split.ts';
import type { CanarySpec } from '../api/types.ts';

const recorded = (
  JSON.parse(
    readFileSync(new URL('./metrics/testdata/traefik-gateway-answers.json', import.meta.url), 'utf8'),
  ) as { series: { data: { result: { metric: Record<string, string> }[] } } }
).series.data.result.map((r) => r.metric.service);
// The same route as if Kanaria had made it for apex `split`: primary and canary backends, plus another
// route's backend and a Service of another app.
const labels = [
  ...recorded,
  ...recorded.map((s) => s.replace('-svc-test-app-a-0@', '-svc-test-split-primary-0@')),
  ...recorded.map((s) => s.replace('-svc-test-app-b-1@', '-svc-test-split-canary-1@')),
  recorded[0].replace('httproute-test-split-', 'httproute-test-other-').replace('app-a-0@', 'split-1@'),
  recorded[0].replace('-svc-test-app-a-0@', '-svc-test-splitter-canary-1@'),
].filter((s, i, all) => all.indexOf(s) === i);

function selects(query: string): string[] {
  const pattern = /service=~"([^"]+)"/.exec(query)?.[1] ?? '';
  const re = new RegExp(`^(?:${pattern})$`);
  return labels.filter((s) => re.test(s)).map((s) => s.replace(/-gw-.*-svc-/, '…-svc-'));
}

describe("Traefik's Gateway provider series", () => {
  it('the recording holds the two backends of rule 0', () => {
    expect(recorded.length).toBe(2);
    expect(
      recorded.every((s) => /^httproute-test-split-gw-test-gateway-ep-web-0-[0-9a-f]{20}-svc-/.test(s)),
    ).toBe(true);
  });

  it('the built-in metrics read the canary backend of the Canary’s HTTPRoute only', () => {
    const vars = {
      namespace: 'test',
      ingress: '',
      service: 'split',
      interval: '1m',
      routes: ['gateway' as const],
    };
    const query = builtinQuery('request-success-rate', { ...vars, ingressController: 'traefik' })!;
    expect(selects(query)).toEqual(['httproute-test-split…-svc-test-split-canary-1@kubernetesgateway']);
    expect(() => builtinQuery('request-success-rate', vars)).toThrow(/ingressController: traefik/);
  });

  it('while migrating, the canary of either route', () => {
    const pattern = traefikCanaryService({
      namespace: 'test',
      ingress: 'split',
      service: 'split',
      port: 80,
      portName: 'http',
      interval: '1m',
      routes: ['gateway', 'ingress'],
    });
    const re = new RegExp(`^(?:${pattern})$`);
    expect(re.test('test-split-split-80-canary@kubernetesingressnginx')).toBe(true);
    expect(re.test('test-split-split-80@kubernetesingressnginx')).toBe(false);
    expect(labels.filter((s) => re.test(s))).toHaveLength(1);
  });

  it('the observed split counts the canary backend against every backend of the app on any route', () => {
    const queries = splitQueries({
      namespace: 'test',
      ingress: '',
      service: 'split',
      ingressController: 'traefik',
      window: '10s',
      route: 'gateway',
    });
    expect(selects(queries.canary)).toEqual([
      'httproute-test-split…-svc-test-split-canary-1@kubernetesgateway',
    ]);
    expect(selects(queries.total)).toEqual([
      'httproute-test-split…-svc-test-split-primary-0@kubernetesgateway',
      'httproute-test-split…-svc-test-split-canary-1@kubernetesgateway',
      'httproute-test-other…-svc-test-split-1@kubernetesgateway',
    ]);
    // With a baseline (primary 100-2w, baseline w, canary w) its requests count in the total.
    const baseline =
      'httproute-test-split-gw-test-gateway-ep-web-0-47ad25ad191cae216053-svc-test-split-baseline-1@kubernetesgateway';
    expect(new RegExp(`^(?:${/service=~"([^"]+)"/.exec(queries.total)![1]})$`).test(baseline)).toBe(true);
  });

  it("a migration reads the HTTPRoute's requests from Traefik's series, and says why not elsewhere", () => {
    const spec = {
      provider: 'nginx',
      ingressController: 'traefik',
      targetRef: { name: 'split' },
      ingressRef: { name: 'split' },
      service: { port: 80, gatewayRefs: [{ name: 'gateway' }] },
      analysis: { interval: '10s' },
    } as CanarySpec;
    const { query } = routeRequestsQuery(spec, 'test', 'gateway');
    // Every backend of the route named after the apex, none of another route.
    expect(selects(query!)).toHaveLength(labels.length - 1);
    expect(selects(query!).every((s) => s.startsWith('httproute-test-split…'))).toBe(true);
    expect(routeRequestsQuery({ ...spec, ingressController: undefined }, 'test', 'gateway')).toEqual({
      unknownBecause: expect.stringContaining('ingressController: traefik'),
    });
    const ingress = routeRequestsQuery(
      { ...spec, service: { ...spec.service, portName: 'http' } },
      'test',
      'ingress',
    );
    const re = new RegExp(`^(?:${/service=~"([^"]+)"/.exec(ingress.query!)![1]})$`);
    expect(
      [
        'test-split-split-80@kubernetesingressnginx',
        'test-split-split-http-canary@kubernetesingressnginx',
      ].every((s) => re.test(s)),
    ).toBe(true);
    expect(re.test('test-split-other-80@kubernetesingressnginx')).toBe(false);
    expect(routeRequestsQuery({ ...spec, ingressController: undefined }, 'test', 'ingress').query).toBe(
      'sum(nginx_ingress_controller_requests{namespace="test",ingress="split"})',
    );
  });
});
