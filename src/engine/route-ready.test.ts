import { describe, expect, it } from 'vitest';
import { baseSpec, newWorld, runUntil, step } from './testing/world.ts';

const T0 = Date.parse('2026-01-05T10:00:00Z');
const refused = {
  ready: false,
  reason: 'NotAllowedByListeners',
  message:
    'Gateway gw/public does not accept HTTPRoute podinfo: NotAllowedByListeners: no listener allows it',
};
const accepted = {
  ready: true,
  reason: 'Accepted',
  message: 'HTTPRoute podinfo is accepted by its Gateways',
};

function initialisedWithRoute(route: typeof refused) {
  const w = newWorld(baseSpec());
  w.route = route;
  const t = runUntil(w, T0, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
  return { w, t };
}

describe('route readiness', () => {
  it('initialises while no Gateway accepts the route, with a RouteReady condition carrying its reason', () => {
    const { w } = initialisedWithRoute(refused);
    expect(w.status.phase).toBe('Initialized');
    const condition = w.status.conditions?.find((c) => c.type === 'RouteReady');
    expect(condition).toMatchObject({ status: 'False', reason: 'NotAllowedByListeners' });
    expect(condition?.message).toContain('no listener allows it');
  });

  it('sets no weight above 0 while the route is not accepted, then releases once it is', () => {
    const { w, t } = initialisedWithRoute(refused);
    w.targetHash = 'v2';
    let now = t + 1000;
    for (let i = 0; i < 30; i++, now += 5_000) step(w, now);
    expect(w.status.phase).toBe('Progressing');
    expect(w.weights.filter((x) => x > 0)).toEqual([]);
    expect(w.status.message).toContain('waiting for the route to be accepted');
    expect(w.events.filter((e) => e.reason === 'NotAllowedByListeners')).toHaveLength(1);

    w.route = accepted;
    runUntil(w, now, (x) => x.status.phase === 'Succeeded');
    expect(w.weights).toEqual([10, 20, 30, 40, 50, 0]);
    expect(w.status.conditions?.find((c) => c.type === 'RouteReady')).toMatchObject({ status: 'True' });
  });

  it('holds an A/B release before its header route', () => {
    const spec = baseSpec({ match: [{ headers: { 'x-canary': { exact: 'insider' } } }], iterations: 3 });
    const w = newWorld({ ...spec, analysis: { ...spec.analysis, stepWeight: undefined } });
    w.route = refused;
    const t = runUntil(w, T0, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
    w.targetHash = 'v2';
    let now = t + 1000;
    for (let i = 0; i < 20; i++, now += 5_000) step(w, now);
    expect(w.match).toBe(false);
    w.route = accepted;
    runUntil(w, now, (x) => x.match);
  });

  it('leaves Canaries whose provider reports no readiness without the condition', () => {
    const w = newWorld(baseSpec());
    runUntil(w, T0, (x) => x.status.phase === 'Initialized');
    expect(w.status.conditions?.some((c) => c.type === 'RouteReady')).toBe(false);
  });
});
