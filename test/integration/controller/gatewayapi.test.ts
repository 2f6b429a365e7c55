import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Canary } from '../../../src/api/types.ts';
import { canWatch } from '../../../src/kube/discovery.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { controllerEnv } from '../controller-env.ts';
import { createCanary, createPodinfo, getCanary, setImage } from '../fixtures.ts';
import { testKube, waitFor } from '../helpers.ts';
import {
  acceptRoute,
  gatewayCanary,
  readRoute,
  recordRouteWeights,
  ROUTES,
  weightsOf,
} from './httproutes.ts';

const routeCondition = (c: Canary) => c.status?.conditions?.find((x) => x.type === 'RouteReady');

describe('provider gatewayapi:v1', () => {
  const env = controllerEnv('gwapi');

  it('owns an HTTPRoute at 100/0, sets no weight until a Gateway accepts it, then steps and promotes', async () => {
    const { kube } = env;
    const namespace = env.ns.name;
    await createPodinfo(kube, namespace, { name: 'gw' });
    await createCanary(kube, gatewayCanary(namespace, 'gw'));
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace, 'gw')).status?.phase === 'Initialized',
    );
    const canary = await waitFor('the RouteReady condition', async () => {
      const c = await getCanary(kube, namespace, 'gw');
      return routeCondition(c)?.reason === 'RouteNotAccepted' && c;
    });
    const route = await waitFor('the HTTPRoute', () => readRoute(kube, namespace, 'gw'));
    expect(weightsOf(route)).toEqual(['gw-primary=100', 'gw-canary=0']);
    expect(route.spec?.hostnames).toEqual(['app.example.com']);
    expect(route.spec?.parentRefs).toMatchObject([{ name: 'public', namespace }]);
    expect(route.metadata?.ownerReferences).toMatchObject([
      { kind: 'Canary', name: 'gw', uid: canary.metadata.uid, controller: true },
    ]);
    expect(routeCondition(canary)?.status).toBe('False');

    // No controller writes the route's status: the release waits at weight 0 and says why.
    const weights = recordRouteWeights(kube, namespace, 'gw');
    await setImage(kube, namespace, '6.0.1', 'gw');
    await waitFor('the release to wait for the route', async () => {
      const c = await getCanary(kube, namespace, 'gw');
      return c.status?.phase === 'Progressing' && c.status.message?.includes('waiting for the route');
    });
    await new Promise((r) => setTimeout(r, 4_000));
    const waiting = await getCanary(kube, namespace, 'gw');
    expect(waiting.status?.canaryWeight ?? 0).toBe(0);
    expect(weights.seen.filter((w) => w > 0)).toEqual([]);
    expect(routeCondition(waiting)?.message).toContain(`Gateway ${namespace}/public`);

    // A Gateway that refuses the route: its reason and message reach the Canary, still no weight.
    await acceptRoute(kube, namespace, 'gw', {
      status: 'False',
      reason: 'NotAllowedByListeners',
      message: 'no listener of the Gateway allows routes from this namespace',
    });
    const refused = await waitFor('the refusal in the condition', async () => {
      const c = await getCanary(kube, namespace, 'gw');
      return routeCondition(c)?.reason === 'NotAllowedByListeners' && c;
    });
    expect(routeCondition(refused)?.message).toContain('no listener of the Gateway allows routes');
    expect(refused.status?.canaryWeight ?? 0).toBe(0);

    await acceptRoute(kube, namespace, 'gw');
    await waitFor(
      'Succeeded',
      async () => (await getCanary(kube, namespace, 'gw')).status?.phase === 'Succeeded',
      90_000,
    );
    await weights.stop();
    expect(weights.seen).toEqual([0, 10, 20, 30, 0]);
    const done = await getCanary(kube, namespace, 'gw');
    expect(routeCondition(done)).toMatchObject({ status: 'True', reason: 'Accepted' });
    const primary = await kube.apps.readNamespacedDeployment({ name: 'gw-primary', namespace });
    expect(primary.spec?.template.spec?.containers[0].image).toContain(':6.0.1');

    // A hand-set weight on the owned route is put back.
    const live = (await readRoute(kube, namespace, 'gw'))!;
    const rules = structuredClone(live.spec!.rules!);
    rules[0].backendRefs![0].weight = 50;
    rules[0].backendRefs![1].weight = 50;
    await kube.custom.patchNamespacedCustomObject(
      { ...ROUTES, namespace, name: 'gw', body: { spec: { rules } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await waitFor('the hand edit put back', async () => {
      const r = await readRoute(kube, namespace, 'gw');
      return weightsOf(r).join(' ') === 'gw-primary=100 gw-canary=0';
    });
  }, 180_000);

  it('A/B: a rule with two headers at once sends to the canary during the iterations, removed after', async () => {
    const { kube } = env;
    const namespace = env.ns.name;
    await createPodinfo(kube, namespace, { name: 'ab' });
    const manifest = gatewayCanary(namespace, 'ab');
    manifest.spec.analysis = {
      interval: '1s',
      threshold: 2,
      iterations: 3,
      match: [{ headers: { 'x-canary': { exact: 'insider' }, 'x-team': { exact: 'a' } } }],
    };
    await createCanary(kube, manifest);
    await waitFor('the HTTPRoute', () => readRoute(kube, namespace, 'ab'));
    await acceptRoute(kube, namespace, 'ab');
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace, 'ab')).status?.phase === 'Initialized',
    );
    await setImage(kube, namespace, '6.0.1', 'ab');
    const abRoute = await waitFor('the A/B rule', async () => {
      const r = await readRoute(kube, namespace, 'ab');
      return r?.spec?.rules?.length === 2 && r;
    });
    expect(abRoute.spec?.rules?.[0].matches?.[0].headers).toEqual([
      { type: 'Exact', name: 'x-canary', value: 'insider' },
      { type: 'Exact', name: 'x-team', value: 'a' },
    ]);
    expect(weightsOf({ spec: { rules: [abRoute.spec!.rules![0]] } })).toEqual([
      'ab-primary=0',
      'ab-canary=100',
    ]);
    expect(weightsOf(abRoute)).toEqual(['ab-primary=100', 'ab-canary=0']);
    await waitFor(
      'Succeeded',
      async () => (await getCanary(kube, namespace, 'ab')).status?.phase === 'Succeeded',
      90_000,
    );
    const after = await readRoute(kube, namespace, 'ab');
    expect(after?.spec?.rules).toHaveLength(1);
    expect(weightsOf(after)).toEqual(['ab-primary=100', 'ab-canary=0']);
  }, 180_000);

  it('finds a resource the API server does not serve absent, without failing', async () => {
    const kube = testKube();
    const log = createLogger('silent');
    const missing = { group: 'absent.example.com', version: 'v1', plural: 'things' };
    expect(await canWatch(kube, missing, undefined, log)).toBe(false);
    expect(await canWatch(kube, ROUTES, env.ns.name, log)).toBe(true);
  });
});
