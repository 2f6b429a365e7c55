import { describe, expect, it } from 'vitest';
import type { Canary } from '../api/types.ts';
import { buildHttpRoute } from '../router/gatewayapi.ts';
import { httpRouteInfo } from './route-view.ts';
import { buildCanaryView } from './view.ts';

const canary: Canary = {
  apiVersion: 'kanaria.dev/v1beta1',
  kind: 'Canary',
  metadata: { name: 'podinfo', namespace: 'test', uid: 'u-1' },
  spec: {
    provider: 'gatewayapi:v1',
    targetRef: { name: 'podinfo' },
    service: { port: 80, gatewayRefs: [{ name: 'public' }] },
    analysis: { interval: '1m', iterations: 3, match: [{ headers: { 'x-a': { exact: '1' } } }] },
  },
  status: { phase: 'Progressing', canaryWeight: 20 },
};
const owner = { apiVersion: 'kanaria.dev/v1beta1', kind: 'Canary', name: 'podinfo', uid: 'u-1' };

describe('the HTTPRoute in kanaria get', () => {
  it('shows the weights and that no Gateway accepted it yet', () => {
    const route = buildHttpRoute({
      spec: canary.spec,
      namespace: 'test',
      owner,
      routes: { weight: 20, match: false },
    });
    expect(httpRouteInfo(route, canary)).toBe(
      'podinfo-primary=80 podinfo-canary=20, not accepted: RouteNotAccepted',
    );
  });

  it('shows the baseline share of a Canary with judge.baseline', () => {
    const spec = { ...canary.spec, analysis: { interval: '1m', maxWeight: 30, judge: { baseline: true } } };
    const route = buildHttpRoute({ spec, namespace: 'test', owner, routes: { weight: 20, match: false } });
    expect(httpRouteInfo(route, { ...canary, spec })).toBe(
      'podinfo-primary=60 podinfo-baseline=20 podinfo-canary=20, not accepted: RouteNotAccepted',
    );
  });

  it('shows the A/B rule and Accepted, in the resource tree', () => {
    const route = buildHttpRoute({
      spec: canary.spec,
      namespace: 'test',
      owner,
      routes: { weight: 0, match: true },
    });
    route.status = {
      parents: [{ parentRef: { name: 'public' }, conditions: [{ type: 'Accepted', status: 'True' }] }],
    };
    const view = buildCanaryView({ canary, services: [], configs: [], events: [], httpRoute: route }, 0);
    expect(view.resources.find((r) => r.kind === 'HTTPRoute')).toEqual({
      kind: 'HTTPRoute',
      name: 'podinfo',
      info: 'podinfo-primary=100 podinfo-canary=0, A/B rule to the canary, Accepted',
    });
  });

  it('shows a move between providers in one line', () => {
    const migration = {
      from: 'nginx' as const,
      to: 'gatewayapi:v1' as const,
      startedAt: '2026-12-01T12:00:00Z',
      message: 'the nginx route still serves requests (1200 counted)',
    };
    const view = buildCanaryView(
      {
        canary: { ...canary, status: { ...canary.status, migration } },
        services: [],
        configs: [],
        events: [],
      },
      0,
    );
    expect(view.migration).toBe(
      'nginx -> gatewayapi:v1, in progress: the nginx route still serves requests (1200 counted)',
    );
  });
});
