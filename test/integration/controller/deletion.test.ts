import { setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startController, type RunningController } from '../../../src/controller/run.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import {
  canaryManifest,
  createCanary,
  createPodinfo,
  deleteCanary,
  getCanary,
  setImage,
} from '../fixtures.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';

const merge = setHeaderOptions('Content-Type', 'application/merge-patch+json');

describe('source Ingress sync, suspend and deletion', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let controller: RunningController;

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'delete');
    controller = await startController({
      kubeconfig: kubeconfigPath(),
      namespace: ns.name,
      log: createLogger('warn'),
    });
  });
  afterAll(async () => {
    await controller?.stop();
    await ns.cleanup();
  });

  it('copies later changes of the source Ingress to the canary Ingress', async () => {
    const namespace = ns.name;
    await createPodinfo(kube, namespace);
    const canary = canaryManifest(namespace);
    canary.spec.revertOnDeletion = true;
    await createCanary(kube, canary);
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Initialized',
    );
    await kube.networking.patchNamespacedIngress(
      {
        name: 'podinfo',
        namespace,
        body: {
          metadata: {
            labels: { team: 'web' },
            annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '8m' },
          },
          spec: {
            rules: [
              {
                host: 'new.example.com',
                http: {
                  paths: [
                    {
                      path: '/',
                      pathType: 'Prefix',
                      backend: { service: { name: 'podinfo', port: { number: 80 } } },
                    },
                  ],
                },
              },
            ],
          },
        },
      },
      merge,
    );
    const synced = await waitFor('canary Ingress synced', async () => {
      const ing = await kube.networking.readNamespacedIngress({ name: 'podinfo-canary', namespace });
      return ing.spec?.rules?.[0].host === 'new.example.com' ? ing : undefined;
    });
    expect(synced.metadata?.labels?.team).toBe('web');
    expect(synced.metadata?.annotations?.['nginx.ingress.kubernetes.io/proxy-body-size']).toBe('8m');
    expect(synced.metadata?.annotations?.['nginx.ingress.kubernetes.io/canary-weight']).toBe('0');
    expect(synced.spec?.rules?.[0].http?.paths[0].backend.service?.name).toBe('podinfo-canary');
  });

  it('changes nothing while suspended', async () => {
    const namespace = ns.name;
    await kube.custom.patchNamespacedCustomObject(
      {
        group: 'kanaria.dev',
        version: 'v1beta1',
        plural: 'canaries',
        namespace,
        name: 'podinfo',
        body: { spec: { suspend: true } },
      },
      merge,
    );
    await waitFor(
      'suspended',
      async () => (await getCanary(kube, namespace)).status?.message === 'suspended',
    );
    await setImage(kube, namespace, '6.0.3');
    await new Promise((r) => setTimeout(r, 3000));
    expect((await getCanary(kube, namespace)).status?.phase).toBe('Initialized');
    expect((await kube.apps.readNamespacedDeployment({ name: 'podinfo', namespace })).spec?.replicas).toBe(0);
    await kube.custom.patchNamespacedCustomObject(
      {
        group: 'kanaria.dev',
        version: 'v1beta1',
        plural: 'canaries',
        namespace,
        name: 'podinfo',
        body: { spec: { suspend: false } },
      },
      merge,
    );
    await waitFor(
      'Succeeded after resume',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Succeeded',
      90_000,
    );
  });

  it('with revertOnDeletion, scales the target back up and points the apex Service at it before the Canary goes', async () => {
    const namespace = ns.name;
    const c = await getCanary(kube, namespace);
    expect(c.metadata.finalizers).toContain('kanaria.dev/finalizer');
    await deleteCanary(kube, namespace);
    await waitFor('Canary gone', async () => {
      try {
        await getCanary(kube, namespace);
        return false;
      } catch {
        return true;
      }
    });
    const target = await kube.apps.readNamespacedDeployment({ name: 'podinfo', namespace });
    expect(target.spec?.replicas).toBe(2);
    expect(target.status?.readyReplicas).toBe(2);
    const apex = await kube.core.readNamespacedService({ name: 'podinfo', namespace });
    expect(apex.spec?.selector).toEqual({ app: 'podinfo' });
    expect(apex.metadata?.ownerReferences ?? []).toEqual([]);
  });
});
