import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startController, type RunningController } from '../../../src/controller/run.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { canaryManifest, createCanary, createPodinfo, getCanary, setImage } from '../fixtures.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';

describe('release windows on the local control plane', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let controller: RunningController;

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'windows');
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

  it('a release outside its window waits, names the next opening, and proceeds once inside', async () => {
    const namespace = ns.name;
    // A daily window opening at the start of the next minute (UTC).
    const opening = new Date(Math.ceil((Date.now() + 1000) / 60_000) * 60_000);
    const schedule = `${opening.getUTCMinutes()} ${opening.getUTCHours()} * * *`;
    await createPodinfo(kube, namespace);
    await createCanary(
      kube,
      canaryManifest(namespace, {
        interval: '1s',
        windows: [{ schedule, duration: '10m', timeZone: 'UTC', kind: 'allow' }],
      }),
    );
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Initialized',
    );
    await setImage(kube, namespace, '6.0.1');
    const waiting = await waitFor('Waiting', async () => {
      const c = await getCanary(kube, namespace);
      return c.status?.phase === 'Waiting' ? c : undefined;
    });
    if (Date.now() < opening.getTime() - 500) {
      expect(waiting.status?.message).toContain(
        `next window opens ${opening.toISOString().replace('.000Z', 'Z')}`,
      );
      expect((await kube.apps.readNamespacedDeployment({ name: 'podinfo', namespace })).spec?.replicas).toBe(
        0,
      );
    }
    const started = await waitFor(
      'Progressing',
      async () => {
        const c = await getCanary(kube, namespace);
        return c.status?.phase === 'Progressing' || c.status?.phase === 'Succeeded' ? Date.now() : undefined;
      },
      90_000,
      200,
    );
    expect(started).toBeGreaterThanOrEqual(opening.getTime() - 1000);
    await waitFor(
      'Succeeded',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Succeeded',
      60_000,
    );
  });
});
