import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startController, type RunningController } from '../../../src/controller/run.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import {
  canaryManifest,
  createCanary,
  createPodinfo,
  getCanary,
  recordWeights,
  setImage,
} from '../fixtures.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';

describe('two Canaries claiming one Deployment or one Ingress', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let controller: RunningController;

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'claims');
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

  it('the second gets Ready=False naming the first, and the first releases undisturbed', async () => {
    const namespace = ns.name;
    await createPodinfo(kube, namespace);
    await createCanary(kube, canaryManifest(namespace, { interval: '1s', maxWeight: 30 }));
    await waitFor(
      'first Initialized',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Initialized',
    );
    const second = canaryManifest(namespace, { interval: '1s', stepWeight: 50 }, 'podinfo-again');
    second.spec.targetRef.name = 'podinfo';
    second.spec.ingressRef = { ...second.spec.ingressRef!, name: 'podinfo' };
    await createCanary(kube, second);
    const ready = await waitFor(
      'Ready=False on the second Canary',
      async () =>
        (await getCanary(kube, namespace, 'podinfo-again')).status?.conditions?.find(
          (c) => c.type === 'Ready' && c.status === 'False',
        ),
      20_000,
    );
    expect(ready.reason).toBe('TargetClaimed');
    expect(ready.message).toContain('Canary podinfo');
    const weights = recordWeights(kube, namespace);
    await setImage(kube, namespace, '6.0.1');
    await waitFor(
      'first Succeeded',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Succeeded',
      60_000,
    );
    await weights.stop();
    expect(weights.seen).toEqual([0, 10, 20, 30, 0]);
    expect((await getCanary(kube, namespace, 'podinfo-again')).status?.phase).toBeUndefined();
  });
});
