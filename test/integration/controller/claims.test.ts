import { describe, expect, it } from 'vitest';
import {
  canaryManifest,
  createCanary,
  createPodinfo,
  getCanary,
  recordWeights,
  setImage,
} from '../fixtures.ts';
import { controllerEnv } from '../controller-env.ts';
import { waitFor } from '../helpers.ts';

describe('two Canaries claiming one Deployment or one Ingress', () => {
  const env = controllerEnv('claims');

  it('the second gets Ready=False naming the first, and the first releases undisturbed', async () => {
    const { kube } = env;
    const namespace = env.ns.name;
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
