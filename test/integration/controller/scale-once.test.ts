import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Applier, type ApplyContext } from '../../../src/controller/apply.ts';
import type { Kube } from '../../../src/kube/client.ts';
import type { V1Deployment } from '../../../src/kube/types.ts';
import { KubeWriter } from '../../../src/kube/writer.ts';
import { canaryManifest, createCanary, createPodinfo, getCanary } from '../fixtures.ts';
import { freshNamespace, testKube } from '../helpers.ts';
import { applierCaches } from './applier-caches.ts';

/**
 * A reconcile that runs before the watch cache shows the operator's own scale of the target (a
 * reconcile woken by its own status write) must not send the same scale again: a write that changes
 * nothing costs an API request per Canary.
 */
describe('scaling the target', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  const requests: string[] = [];
  let applier: Applier;
  let ctx: (target: V1Deployment) => ApplyContext;

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'scale-once');
    await createPodinfo(kube, ns.name, { replicas: 1 });
    await createCanary(kube, canaryManifest(ns.name));
    const canary = await getCanary(kube, ns.name);
    const caches = applierCaches();
    const writer = new KubeWriter(kube, 'test', (verb, resource) => requests.push(`${verb} ${resource}`));
    applier = new Applier(caches, writer, 'nginx.ingress.kubernetes.io');
    ctx = (target) => ({
      canary,
      spec: canary.spec,
      status: { phase: 'Progressing' },
      target,
      selectorLabel: 'app',
      configs: {},
      primaryReady: true,
      fence: async () => undefined,
    });
  });
  afterAll(async () => ns?.cleanup());

  const read = () => kube.apps.readNamespacedDeployment({ name: 'podinfo', namespace: ns.name });
  const replicasNow = async () => (await read()).spec?.replicas;

  it('sends a scale once while the cached target is older than it, and again after a newer edit', async () => {
    const stale = await read();
    await applier.execute(ctx(stale), { type: 'scaleTarget', replicas: 0 });
    await applier.execute(ctx(stale), { type: 'scaleTarget', replicas: 0 });
    expect(requests).toEqual(['patch deployments']);
    expect(await replicasNow()).toBe(0);

    // Someone scales it back by hand: the cache's newer version ends what the applier remembered.
    await kube.apps.patchNamespacedDeployment({
      name: 'podinfo',
      namespace: ns.name,
      body: [{ op: 'replace', path: '/spec/replicas', value: 2 }],
    });
    await applier.execute(ctx(await read()), { type: 'scaleTarget', replicas: 0 });
    expect(requests).toEqual(['patch deployments', 'patch deployments']);
    expect(await replicasNow()).toBe(0);
  });

  it('still scales when the stale target asks for a different size than the one it sent', async () => {
    requests.length = 0;
    const stale = await read();
    await applier.execute(ctx(stale), { type: 'scaleTarget', replicas: 1 });
    await applier.execute(ctx(stale), { type: 'scaleTarget', replicas: 3 });
    expect(requests).toEqual(['patch deployments', 'patch deployments']);
    expect(await replicasNow()).toBe(3);
  });
});
