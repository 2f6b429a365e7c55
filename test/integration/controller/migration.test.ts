/**
 * Moving a Canary between providers in the middle of a release, on the real API server: the HTTPRoute gets
 * no weight until its Gateway accepts it, then carries the canary Ingress's weights step by step; a finish
 * request retires the old route and the release promotes on the new one. Then back again. No Prometheus
 * runs here, so the old route's requests are unknown: only the finish request ends a move (the idle rule
 * runs in the e2e suite, on real Traefik and Prometheus).
 */
import { describe, expect, it } from 'vitest';
import type { Canary } from '../../../src/api/types.ts';
import { patchCanary } from '../../../src/kube/canaries.ts';
import { statusCode } from '../../../src/kube/client.ts';
import { FINISH_MIGRATION_ANNOTATION } from '../../../src/router/migration.ts';
import { controllerEnv } from '../controller-env.ts';
import {
  canaryManifest,
  createCanary,
  createPodinfo,
  notesOnceSeen,
  getCanary,
  recordWeights,
  setImage,
} from '../fixtures.ts';
import { waitFor } from '../helpers.ts';
import { acceptRoute, readRoute, recordRouteWeights } from './httproutes.ts';

const NAME = 'mig';

describe('moving a Canary between nginx and gatewayapi:v1', () => {
  const env = controllerEnv('migrate');

  it('nginx -> gatewayapi:v1 mid-release, and back', async () => {
    const { kube } = env;
    const namespace = env.ns.name;
    const canaryIngressExists = () =>
      kube.networking.readNamespacedIngress({ name: `${NAME}-canary`, namespace }).then(
        () => true,
        (err: unknown) => (statusCode(err) === 404 ? false : Promise.reject(err)),
      );
    await createPodinfo(kube, namespace, { name: NAME });
    await createCanary(
      kube,
      canaryManifest(namespace, { interval: '2s', stepWeight: 10, maxWeight: 50 }, NAME),
    );
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace, NAME)).status?.phase === 'Initialized',
    );
    const ingressWeights = recordWeights(kube, namespace, `${NAME}-canary`);
    const routeWeights = recordRouteWeights(kube, namespace, NAME);
    await setImage(kube, namespace, '6.0.1', NAME);
    await waitFor(
      'weight 20',
      async () => ((await getCanary(kube, namespace, NAME)).status?.canaryWeight ?? 0) >= 20,
    );

    await patchCanary(kube, namespace, NAME, {
      spec: {
        provider: 'gatewayapi:v1',
        service: { hosts: ['app.example.com'], gatewayRefs: [{ name: 'public', namespace }] },
        migration: { idleFor: '1h' },
      },
    });
    const moving = await waitFor('the migration in status', async () => {
      const c = await getCanary(kube, namespace, NAME);
      return (
        c.status?.migration?.to === 'gatewayapi:v1' &&
        c.status.message?.includes('waiting for the route') &&
        c
      );
    });
    expect(moving.status?.migration).toMatchObject({ from: 'nginx', to: 'gatewayapi:v1' });
    expect(moving.status?.migration?.message).toContain('kanaria migrate --finish');
    const held = moving.status!.canaryWeight!;
    // The new route exists at weight 0 (no Gateway accepted it) while the Ingress keeps the release's weight.
    await new Promise((r) => setTimeout(r, 3_000));
    const route = await readRoute(kube, namespace, NAME);
    expect(route?.spec?.rules?.at(-1)?.backendRefs?.map((b) => b.weight)).toEqual([100, 0]);
    expect((await getCanary(kube, namespace, NAME)).status?.canaryWeight).toBe(held);
    expect(ingressWeights.seen.at(-1)).toBe(held);

    await acceptRoute(kube, namespace, NAME);
    await waitFor('both routes at the same weight above it', async () => {
      const w = (await getCanary(kube, namespace, NAME)).status?.canaryWeight ?? 0;
      return w > held && ingressWeights.seen.at(-1) === w && routeWeights.seen.at(-1) === w;
    });
    const beforeFinish = [...routeWeights.seen];
    await patchCanary(kube, namespace, NAME, {
      metadata: { annotations: { [FINISH_MIGRATION_ANNOTATION]: 'gatewayapi:v1' } },
    });
    await waitFor('the canary Ingress removed', async () => !(await canaryIngressExists()), 20_000);
    const done = await waitFor(
      'Succeeded',
      async () => {
        const c = await getCanary(kube, namespace, NAME);
        return c.status?.phase === 'Succeeded' && c;
      },
      90_000,
    );
    await ingressWeights.stop();
    await routeWeights.stop();
    expect(done.status?.migration).toMatchObject({
      from: 'nginx',
      to: 'gatewayapi:v1',
      finishedBy: 'request',
    });
    console.log(
      `canary Ingress weights ${ingressWeights.seen.join(' ')}; HTTPRoute weights ${routeWeights.seen.join(' ')} (finish requested after ${beforeFinish.join(' ')})`,
    );
    // While both existed, every weight the HTTPRoute carried was one the canary Ingress carried too.
    const shared = beforeFinish.filter((w) => w > 0);
    expect(shared.length).toBeGreaterThan(0);
    expect(shared.every((w) => ingressWeights.seen.includes(w))).toBe(true);
    expect(routeWeights.seen.at(-1)).toBe(0);
    expect(await canaryIngressExists()).toBe(false);
    const primary = await kube.apps.readNamespacedDeployment({ name: `${NAME}-primary`, namespace });
    expect(primary.spec?.template.spec?.containers[0].image).toContain(':6.0.1');
    const notes = await notesOnceSeen(kube, namespace, NAME, (now) =>
      now.some((n) => n.includes('finished on request')),
    );
    expect(notes.some((n) => n.includes('Moving mig.') && n.includes('from nginx to gatewayapi:v1'))).toBe(
      true,
    );
    expect(notes.some((n) => n.includes('finished on request'))).toBe(true);

    // Back to nginx between releases: the canary Ingress comes back at 0, the HTTPRoute goes on request.
    await patchCanary(kube, namespace, NAME, { spec: { provider: 'nginx' } });
    await waitFor('the canary Ingress back', canaryIngressExists);
    const back = await waitFor('the move back in status', async () => {
      const c: Canary = await getCanary(kube, namespace, NAME);
      return c.status?.migration?.to === 'nginx' && c;
    });
    expect(back.status?.migration).toMatchObject({ from: 'gatewayapi:v1', to: 'nginx' });
    expect(back.status?.migration?.finishedAt).toBeUndefined();
    expect(await readRoute(kube, namespace, NAME)).toBeDefined();
    await patchCanary(kube, namespace, NAME, {
      metadata: { annotations: { [FINISH_MIGRATION_ANNOTATION]: 'nginx' } },
    });
    await waitFor(
      'the HTTPRoute removed',
      async () => (await readRoute(kube, namespace, NAME)) === undefined,
      20_000,
    );
    expect(await canaryIngressExists()).toBe(true);
  }, 240_000);
});
