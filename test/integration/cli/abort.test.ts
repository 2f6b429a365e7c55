import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startController, type RunningController } from '../../../src/controller/run.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { ABORT_ANNOTATION } from '../../../src/resources/meta.ts';
import { canaryManifest, createCanary, createPodinfo, getCanary, PODINFO_IMAGE } from '../fixtures.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';
import { changeImage, runCli } from './support.ts';

describe('kanaria abort', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let controller: RunningController;

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'cli-abort');
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

  it('rolls a progressing release back at once', async () => {
    const namespace = ns.name;
    await createPodinfo(kube, namespace);
    await createCanary(kube, canaryManifest(namespace, { interval: '2s', maxWeight: 50, stepWeight: 10 }));
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Initialized',
    );

    // Nothing runs yet: abort refuses.
    const early = await runCli(['abort', 'podinfo', '-n', namespace]);
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('has no release in progress to abort (phase Initialized)');

    await changeImage(kube, namespace, '6.0.1');
    const progressing = await waitFor('weight 20', async () => {
      const c = await getCanary(kube, namespace);
      return c.status?.phase === 'Progressing' && (c.status.canaryWeight ?? 0) >= 20 ? c : undefined;
    });
    const res = await runCli(['abort', 'podinfo', '-n', namespace]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(
      `abort of release ${progressing.status?.revision} of podinfo.${namespace} requested`,
    );

    const failed = await waitFor('Failed', async () => {
      const c = await getCanary(kube, namespace);
      return c.status?.phase === 'Failed' ? c : undefined;
    });
    expect(failed.metadata.annotations?.[ABORT_ANNOTATION]).toBe(progressing.status?.revision);
    expect(failed.status?.canaryWeight).toBe(0);
    expect(failed.status?.message).toContain('aborted by request');
    // Before the last step (weight 50) could be reached. The Ingress write follows the status that records
    // the rollback: wait for it.
    const weightNow = async () =>
      (await kube.networking.readNamespacedIngress({ name: 'podinfo-canary', namespace })).metadata
        ?.annotations?.['nginx.ingress.kubernetes.io/canary-weight'];
    await waitFor('canary-weight 0', async () => (await weightNow()) === '0', 10_000).catch(() => undefined);
    expect(await weightNow()).toBe('0');
    const primary = await kube.apps.readNamespacedDeployment({ name: 'podinfo-primary', namespace });
    expect(primary.spec?.template.spec?.containers[0].image).toBe(`${PODINFO_IMAGE}:6.0.0`);
    await waitFor('canary scaled to 0', async () => {
      const d = await kube.apps.readNamespacedDeployment({ name: 'podinfo', namespace });
      return d.spec?.replicas === 0;
    });

    const late = await runCli(['abort', 'podinfo', '-n', namespace]);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain('(phase Failed)');
  });
});
