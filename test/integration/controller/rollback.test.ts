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
import { HookServer } from '../hook-server.ts';

describe('rollback on failed webhooks', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let controller: RunningController;
  let hooks: HookServer;

  beforeAll(async () => {
    kube = testKube();
    hooks = await new HookServer().start();
    ns = await freshNamespace(kube, 'rollback');
    controller = await startController({
      kubeconfig: kubeconfigPath(),
      namespace: ns.name,
      log: createLogger('warn'),
    });
  });
  afterAll(async () => {
    await controller?.stop();
    await hooks.stop();
    await ns.cleanup();
  });

  it('fails after exactly `threshold` failed checks, routes back to the primary and leaves it unchanged', async () => {
    const namespace = ns.name;
    await createPodinfo(kube, namespace);
    await createCanary(
      kube,
      canaryManifest(namespace, {
        threshold: 2,
        webhooks: [
          { name: 'load-test', type: 'rollout', url: `${hooks.url}/load`, timeout: '5s' },
          { name: 'cleanup', type: 'post-rollout', url: `${hooks.url}/post` },
        ],
      }),
    );
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Initialized',
    );
    hooks.answer('/load', 500);
    const weights = recordWeights(kube, namespace);
    await setImage(kube, namespace, '6.0.1');
    const failed = await waitFor('Failed', async () => {
      const c = await getCanary(kube, namespace);
      return c.status?.phase === 'Failed' ? c : undefined;
    });
    await weights.stop();
    expect(failed.status?.failedChecks).toBe(2);
    expect(failed.status?.canaryWeight).toBe(0);
    expect(failed.status?.message).toContain('500');
    expect(weights.seen.at(-1)).toBe(0);
    expect(Math.max(...weights.seen)).toBe(10);
    expect(hooks.callsTo('/load')).toHaveLength(2);
    expect(hooks.callsTo('/load')[0].body).toMatchObject({
      name: 'podinfo',
      namespace,
      phase: 'Progressing',
    });
    await waitFor('post-rollout hook', async () => hooks.callsTo('/post').length === 1);

    const target = await kube.apps.readNamespacedDeployment({ name: 'podinfo', namespace });
    expect(target.spec?.replicas).toBe(0);
    const primary = await kube.apps.readNamespacedDeployment({ name: 'podinfo-primary', namespace });
    expect(primary.spec?.template.spec?.containers[0].image).toBe('ghcr.io/stefanprodan/podinfo:6.0.0');
    const rolledBack = `Rolling back podinfo.${namespace} failed checks threshold reached 2`;
    const notes = await notesOnceSeen(kube, namespace, 'podinfo', (now) => now.includes(rolledBack));
    expect(notes.filter((n) => n.startsWith(`Halt advancement podinfo.${namespace}`))).toHaveLength(2);
    expect(notes).toContain(`Rolling back podinfo.${namespace} failed checks threshold reached 2`);
  });

  it('starts nothing when the target is reverted to the primary spec, and a new change starts a release', async () => {
    const namespace = ns.name;
    hooks.answer('/load', 200);
    const callsBefore = hooks.callsTo('/load').length;
    await setImage(kube, namespace, '6.0.0');
    await new Promise((r) => setTimeout(r, 5000));
    const c = await getCanary(kube, namespace);
    expect(c.status?.phase).toBe('Failed');
    expect(hooks.callsTo('/load').length).toBe(callsBefore);
    const target = await kube.apps.readNamespacedDeployment({ name: 'podinfo', namespace });
    expect(target.spec?.replicas).toBe(0);

    await setImage(kube, namespace, '6.0.2');
    await waitFor(
      'Succeeded',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Succeeded',
      90_000,
    );
    const primary = await kube.apps.readNamespacedDeployment({ name: 'podinfo-primary', namespace });
    expect(primary.spec?.template.spec?.containers[0].image).toBe('ghcr.io/stefanprodan/podinfo:6.0.2');
  });
});

describe('operator restart mid-release', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'restart');
  });
  afterAll(async () => ns.cleanup());

  it('finishes the release from status after the operator is stopped and started again', async () => {
    const namespace = ns.name;
    const start = () =>
      startController({ kubeconfig: kubeconfigPath(), namespace, log: createLogger('warn') });
    let controller = await start();
    await createPodinfo(kube, namespace);
    await createCanary(kube, canaryManifest(namespace));
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Initialized',
    );
    const weights = recordWeights(kube, namespace);
    await setImage(kube, namespace, '6.0.1');
    await waitFor(
      'weight 20',
      async () => ((await getCanary(kube, namespace)).status?.canaryWeight ?? 0) >= 20,
      30_000,
      50,
    );
    await controller.stop();
    const held = await getCanary(kube, namespace);
    await new Promise((r) => setTimeout(r, 3000));
    expect((await getCanary(kube, namespace)).status?.canaryWeight).toBe(held.status?.canaryWeight);
    controller = await start();
    try {
      await waitFor(
        'Succeeded',
        async () => (await getCanary(kube, namespace)).status?.phase === 'Succeeded',
        90_000,
      );
    } finally {
      await controller.stop();
      await weights.stop();
    }
    expect(weights.seen).toEqual([0, 10, 20, 30, 40, 50, 0]);
    const primary = await kube.apps.readNamespacedDeployment({ name: 'podinfo-primary', namespace });
    expect(primary.spec?.template.spec?.containers[0].image).toBe('ghcr.io/stefanprodan/podinfo:6.0.1');
  });
});
