import { describe, expect, it } from 'vitest';
import type { CanarySpec } from '../api/types.ts';
import type { HTTPRoute, RouteParentStatus } from './httproute-types.ts';
import { httpRouteReadiness } from './route-status.ts';

const spec: CanarySpec = {
  provider: 'gatewayapi:v1',
  targetRef: { name: 'podinfo' },
  service: { port: 80, gatewayRefs: [{ name: 'public', namespace: 'gateways' }] },
  analysis: { interval: '1m' },
};

function route(parents: RouteParentStatus[]): HTTPRoute {
  return { metadata: { name: 'podinfo', namespace: 'test' }, spec: {}, status: { parents } };
}

const parentRef = {
  group: 'gateway.networking.k8s.io',
  kind: 'Gateway',
  name: 'public',
  namespace: 'gateways',
};

describe('httpRouteReadiness', () => {
  it('is not ready while no controller reported on the route', () => {
    const r = httpRouteReadiness(route([]), spec, 'test');
    expect(r).toMatchObject({ ready: false, reason: 'RouteNotAccepted' });
    expect(r.message).toContain('gateways/public');
    expect(httpRouteReadiness(undefined, spec, 'test')).toMatchObject({
      ready: false,
      reason: 'RouteNotCreated',
    });
  });

  it("carries the Gateway's reason and message when it refuses the route", () => {
    const r = httpRouteReadiness(
      route([
        {
          parentRef,
          controllerName: 'traefik.io/gateway-controller',
          conditions: [
            {
              type: 'Accepted',
              status: 'False',
              reason: 'NotAllowedByListeners',
              message: 'namespace not allowed',
            },
          ],
        },
      ]),
      spec,
      'test',
    );
    expect(r).toEqual({
      ready: false,
      reason: 'NotAllowedByListeners',
      message:
        'Gateway gateways/public does not accept HTTPRoute podinfo: NotAllowedByListeners: namespace not allowed',
    });
  });

  it('is ready once accepted, and not when the backends are not resolved', () => {
    const accepted = { type: 'Accepted', status: 'True' as const, reason: 'Accepted' };
    expect(httpRouteReadiness(route([{ parentRef, conditions: [accepted] }]), spec, 'test').ready).toBe(true);
    const r = httpRouteReadiness(
      route([
        {
          parentRef,
          conditions: [
            accepted,
            { type: 'ResolvedRefs', status: 'False', reason: 'BackendNotFound', message: 'no svc' },
          ],
        },
      ]),
      spec,
      'test',
    );
    expect(r).toMatchObject({ ready: false, reason: 'BackendNotFound' });
  });

  it("needs every Gateway; another Gateway's status does not count", () => {
    const two: CanarySpec = {
      ...spec,
      service: {
        ...spec.service,
        gatewayRefs: [{ name: 'public', namespace: 'gateways' }, { name: 'internal' }],
      },
    };
    const accepted = [{ type: 'Accepted', status: 'True' as const }];
    const onlyPublic = route([{ parentRef, conditions: accepted }]);
    expect(httpRouteReadiness(onlyPublic, two, 'test')).toMatchObject({ ready: false });
    expect(httpRouteReadiness(onlyPublic, two, 'test').message).toContain('test/internal');
    const both = route([
      { parentRef, conditions: accepted },
      { parentRef: { name: 'internal' }, conditions: accepted },
    ]);
    expect(httpRouteReadiness(both, two, 'test').ready).toBe(true);
  });
});
