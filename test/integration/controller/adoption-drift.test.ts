import { DiscoveryV1Api, KubeConfig } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startController } from '../../../src/controller/run.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import {
  PODINFO_IMAGE,
  canaryManifest,
  createCanary,
  createPodinfo,
  eventsOf,
  getCanary,
  setImage,
} from '../fixtures.ts';
import { controllerEnv } from '../controller-env.ts';
import { freshNamespace, kubeconfigPath, waitFor } from '../helpers.ts';

const WEIGHT = 'nginx.ingress.kubernetes.io/canary-weight';

/** Polls the EndpointSlices of one Service and counts the samples in which it had no ready endpoint. */
function watchEndpoints(namespace: string, service: string) {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const tally = { samples: 0, withoutReady: 0, seenReady: false };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const slices = await discovery.listNamespacedEndpointSlice({
        namespace,
        labelSelector: `kubernetes.io/service-name=${service}`,
      });
      const ready = slices.items
        .flatMap((s) => s.endpoints ?? [])
        .filter((e) => e.conditions?.ready === true).length;
      if (ready > 0) tally.seenReady = true;
      if (tally.seenReady) {
        tally.samples++;
        if (ready === 0) tally.withoutReady++;
      }
      await sleep(25);
    }
  })();
  return { tally, stop: async () => ((stopped = true), await loop) };
}

describe('adoption without a gap, and hand edits put back', () => {
  const env = controllerEnv('adopt');

  it('adopts a serving Deployment and its own Service: always a ready endpoint, the Service stays the user’s', async () => {
    const { kube } = env;
    const namespace = env.ns.name;
    await createPodinfo(kube, namespace, { name: 'web' });
    await kube.core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: 'web', labels: { team: 'shop' } },
        spec: {
          type: 'NodePort',
          selector: { app: 'web' },
          ports: [{ name: 'http', port: 80, targetPort: 9898 }],
        },
      },
    });
    const endpoints = watchEndpoints(namespace, 'web');
    await waitFor('ready endpoints of the user Service', async () => endpoints.tally.seenReady, 30_000);
    await createCanary(kube, canaryManifest(namespace, {}, 'web'));
    await waitFor(
      'Initialized with the target at 0',
      async () => {
        const target = await kube.apps.readNamespacedDeployment({ name: 'web', namespace });
        return (await getCanary(kube, namespace, 'web')).status?.phase === 'Initialized' &&
          target.spec?.replicas === 0
          ? true
          : undefined;
      },
      30_000,
    );
    await sleep(2000);
    await endpoints.stop();
    console.log(
      `adoption: ${endpoints.tally.samples} EndpointSlice samples of Service web, ${endpoints.tally.withoutReady} without a ready endpoint`,
    );
    expect(endpoints.tally.withoutReady).toBe(0);
    const svc = await kube.core.readNamespacedService({ name: 'web', namespace });
    expect(svc.spec?.type).toBe('NodePort');
    expect(svc.spec?.selector).toEqual({ app: 'web-primary' });
    expect(svc.metadata?.ownerReferences ?? []).toEqual([]);
    expect(svc.metadata?.labels).toEqual({ team: 'shop' });
  });

  it('restores a hand-set canary-weight within one interval, and a hand-edited primary template', async () => {
    const { kube } = env;
    const namespace = env.ns.name;
    await createPodinfo(kube, namespace, { name: 'drift' });
    await createCanary(kube, canaryManifest(namespace, { interval: '4s', maxWeight: 30 }, 'drift'));
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace, 'drift')).status?.phase === 'Initialized',
    );
    await setImage(kube, namespace, '6.0.1', 'drift');
    await waitFor(
      'weight 10',
      async () => (await getCanary(kube, namespace, 'drift')).status?.canaryWeight === 10,
      30_000,
      50,
    );
    const editedAt = Date.now();
    await kube.networking.patchNamespacedIngress({
      name: 'drift-canary',
      namespace,
      body: [{ op: 'replace', path: `/metadata/annotations/${WEIGHT.replace('/', '~1')}`, value: '100' }],
    });
    const restored = await waitFor(
      'canary-weight put back',
      async () => {
        const ing = await kube.networking.readNamespacedIngress({ name: 'drift-canary', namespace });
        const weight = Number(ing.metadata?.annotations?.[WEIGHT]);
        return weight !== 100 ? { weight, at: Date.now() } : undefined;
      },
      10_000,
      20,
    );
    console.log(`drift: canary-weight 100 put back to ${restored.weight} after ${restored.at - editedAt} ms`);
    expect(restored.at - editedAt).toBeLessThan(4000);
    expect(restored.weight).toBeLessThanOrEqual(20);
    await waitFor(
      'Succeeded',
      async () => (await getCanary(kube, namespace, 'drift')).status?.phase === 'Succeeded',
      60_000,
    );
    await kube.apps.patchNamespacedDeployment({
      name: 'drift-primary',
      namespace,
      body: [
        {
          op: 'replace',
          path: '/spec/template/spec/containers/0/image',
          value: `${PODINFO_IMAGE}:hand-edit`,
        },
      ],
    });
    await waitFor(
      'primary template put back',
      async () => {
        const primary = await kube.apps.readNamespacedDeployment({ name: 'drift-primary', namespace });
        return primary.spec?.template.spec?.containers[0].image === `${PODINFO_IMAGE}:6.0.1`;
      },
      10_000,
      50,
    );
    // The Event is recorded just after the write that put the template back.
    await waitFor('the DriftReverted Event', async () =>
      (await eventsOf(kube, namespace, 'drift')).some((e) =>
        e.note?.startsWith('Reverted a hand edit: Deployment drift-primary'),
      ),
    );
  });

  it('deleting a namespace with revertOnDeletion Canaries, one of them without a target, completes within 60 s', async () => {
    const { kube } = env;
    const doomed = await freshNamespace(kube, 'doomed');
    const other = await startController({
      kubeconfig: kubeconfigPath(),
      namespace: doomed.name,
      log: createLogger('warn'),
    });
    try {
      await createPodinfo(kube, doomed.name, { name: 'kept' });
      const revert = (name: string) => ({
        ...canaryManifest(doomed.name, {}, name),
        spec: { ...canaryManifest(doomed.name, {}, name).spec, revertOnDeletion: true },
      });
      await createCanary(kube, revert('kept'));
      await createCanary(kube, revert('orphan'));
      await waitFor(
        'finalizers in place and kept Initialized',
        async () => {
          const kept = await getCanary(kube, doomed.name, 'kept');
          const orphan = await getCanary(kube, doomed.name, 'orphan');
          return kept.status?.phase === 'Initialized' &&
            (orphan.metadata.finalizers ?? []).length > 0 &&
            (kept.metadata.finalizers ?? []).length > 0
            ? true
            : undefined;
        },
        30_000,
      );
      const started = Date.now();
      await kube.core.deleteNamespace({ name: doomed.name });
      await waitFor(
        'namespace gone',
        async () => {
          try {
            await kube.core.readNamespace({ name: doomed.name });
            return undefined;
          } catch {
            return true;
          }
        },
        60_000,
        250,
      );
      console.log(`namespace deletion with revertOnDeletion Canaries took ${Date.now() - started} ms`);
    } finally {
      await other.stop();
    }
  });
});
