import type { V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startController, type RunningController } from '../../../src/controller/run.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import {
  canaryManifest,
  createCanary,
  createPodinfo,
  notesOnceSeen,
  getCanary,
  recordWeights,
  setImage,
} from '../fixtures.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';

describe('canary lifecycle on the local control plane', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let controller: RunningController;

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'lifecycle');
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

  it('initialises exactly the walkthrough objects', async () => {
    const namespace = ns.name;
    await createPodinfo(kube, namespace);
    await createCanary(kube, canaryManifest(namespace));
    const canary = await waitFor('Initialized', async () => {
      const c = await getCanary(kube, namespace);
      return c.status?.phase === 'Initialized' ? c : undefined;
    });
    expect(canary.status?.canaryWeight).toBe(0);
    const uid = canary.metadata.uid;
    const ownedByCanary = (o: {
      metadata?: { ownerReferences?: { uid: string; kind: string; controller?: boolean }[] };
    }) =>
      o.metadata?.ownerReferences?.some((r) => r.uid === uid && r.kind === 'Canary' && r.controller) ?? false;

    // The target is scaled to 0 by the reconcile after the one that recorded Initialized.
    await waitFor('the target scaled to 0', async () => {
      const target = await kube.apps.readNamespacedDeployment({ name: 'podinfo', namespace });
      return target.spec?.replicas === 0;
    });
    const primary = await kube.apps.readNamespacedDeployment({ name: 'podinfo-primary', namespace });
    expect(ownedByCanary(primary)).toBe(true);
    expect(primary.spec?.replicas).toBe(2);
    expect(primary.spec?.selector.matchLabels).toEqual({ app: 'podinfo-primary' });
    expect(primary.spec?.template.metadata?.labels?.app).toBe('podinfo-primary');
    expect(primary.spec?.template.metadata?.annotations?.['prometheus.io/scrape']).toBe('true');
    expect(primary.spec?.template.spec?.volumes?.[0].configMap?.name).toBe('podinfo-config-primary');
    expect(primary.spec?.template.spec?.containers[0].envFrom?.[0].configMapRef?.name).toBe(
      'podinfo-config-primary',
    );
    await waitFor('primary ready', async () => {
      const d = await kube.apps.readNamespacedDeployment({ name: 'podinfo-primary', namespace });
      return d.status?.readyReplicas === 2;
    });

    const cm = await kube.core.readNamespacedConfigMap({ name: 'podinfo-config-primary', namespace });
    expect(cm.data).toEqual({ 'message.txt': 'hello v1' });
    expect(cm.binaryData).toEqual({ 'logo.bin': 'AAEC' });
    expect(ownedByCanary(cm)).toBe(true);

    const services: Record<string, V1Service> = {};
    for (const name of ['podinfo', 'podinfo-primary', 'podinfo-canary'])
      services[name] = await kube.core.readNamespacedService({ name, namespace });
    expect(services['podinfo'].spec?.selector).toEqual({ app: 'podinfo-primary' });
    expect(services['podinfo-primary'].spec?.selector).toEqual({ app: 'podinfo-primary' });
    expect(services['podinfo-canary'].spec?.selector).toEqual({ app: 'podinfo' });
    for (const svc of Object.values(services)) {
      expect(svc.spec?.ports?.[0]).toMatchObject({ port: 80, targetPort: 9898, protocol: 'TCP' });
      expect(ownedByCanary(svc)).toBe(true);
    }

    const ing = await kube.networking.readNamespacedIngress({ name: 'podinfo-canary', namespace });
    expect(ownedByCanary(ing)).toBe(true);
    const annotations = ing.metadata?.annotations ?? {};
    expect(annotations['nginx.ingress.kubernetes.io/canary']).toBe('true');
    expect(annotations['nginx.ingress.kubernetes.io/canary-weight']).toBe('0');
    expect(annotations['kubernetes.io/ingress.class']).toBe('nginx');
    expect(ing.spec?.rules?.[0].host).toBe('app.example.com');
    expect(ing.spec?.rules?.[0].http?.paths[0].backend.service?.name).toBe('podinfo-canary');
    expect(ing.spec?.rules?.[0].http?.paths[0].backend.service?.port?.number).toBe(80);
  });

  it('releases a new image step by step, promotes it and scales the canary down', async () => {
    const namespace = ns.name;
    const weights = recordWeights(kube, namespace);
    await setImage(kube, namespace, '6.0.1');
    const done = await waitFor(
      'Succeeded',
      async () => {
        const c = await getCanary(kube, namespace);
        return c.status?.phase === 'Succeeded' ? c : undefined;
      },
      90_000,
    );
    await weights.stop();
    expect(weights.seen).toEqual([0, 10, 20, 30, 40, 50, 0]);
    expect(done.status?.canaryWeight).toBe(0);
    const primary = await kube.apps.readNamespacedDeployment({ name: 'podinfo-primary', namespace });
    expect(primary.spec?.template.spec?.containers[0].image).toBe('ghcr.io/stefanprodan/podinfo:6.0.1');
    const target = await kube.apps.readNamespacedDeployment({ name: 'podinfo', namespace });
    expect(target.spec?.replicas).toBe(0);

    const notes = await notesOnceSeen(kube, namespace, 'podinfo', (now) =>
      now.includes(`Promotion completed! Scaling down podinfo.${namespace}`),
    );
    const order = [
      `New revision detected! Scaling up podinfo.${namespace}`,
      `Advance podinfo.${namespace} canary weight 10`,
      `Advance podinfo.${namespace} canary weight 20`,
      `Advance podinfo.${namespace} canary weight 30`,
      `Advance podinfo.${namespace} canary weight 40`,
      `Advance podinfo.${namespace} canary weight 50`,
      `Copying podinfo.${namespace} template spec to podinfo-primary.${namespace}`,
      `Promotion completed! Scaling down podinfo.${namespace}`,
    ];
    const positions = order.map((m) => notes.indexOf(m));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('starts a release when the ConfigMap changes and copies the new data on promotion', async () => {
    const namespace = ns.name;
    await kube.core.patchNamespacedConfigMap(
      { name: 'podinfo-config', namespace, body: { data: { 'message.txt': 'hello v2' } } },
      (await import('@kubernetes/client-node')).setHeaderOptions(
        'Content-Type',
        'application/merge-patch+json',
      ),
    );
    await waitFor(
      'Progressing',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Progressing',
      30_000,
      50,
    );
    await waitFor(
      'Succeeded',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Succeeded',
      90_000,
    );
    const cm = await kube.core.readNamespacedConfigMap({ name: 'podinfo-config-primary', namespace });
    expect(cm.data?.['message.txt']).toBe('hello v2');
  });
});
