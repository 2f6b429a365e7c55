import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manager } from '../../../src/controller/manager.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { KubeWriter } from '../../../src/kube/writer.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { DEFAULT_ANNOTATION_PREFIX } from '../../../src/router/nginx.ts';
import { DEFAULT_SELECTOR_LABELS } from '../../../src/controller/run.ts';
import { canaryManifest, createCanary, createPodinfo, getCanary, setImage } from '../fixtures.ts';
import { freshNamespace, testKube, waitFor } from '../helpers.ts';
import { HookServer } from '../hook-server.ts';

interface Reconciled {
  at: number;
  trigger: string;
}

/**
 * The watch events of the operator's own writes (its status patch, the canary Ingress's new weight) are
 * not reconciled once the reconcile that wrote them has planned its next look an interval away, and checks
 * that answer quickly are awaited in the reconcile that started them: a weight step costs one reconcile,
 * when its interval ends (two when its checks take longer than the short inline wait).
 */
describe('reconciles of a weight step', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let hooks: HookServer;
  let manager: Manager;
  const reconciled: Reconciled[] = [];

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'echoes');
    hooks = await new HookServer().start();
    manager = new Manager({
      kube,
      writer: new KubeWriter(kube, 'echoes'),
      log: createLogger('warn'),
      clock: Date.now,
      namespace: ns.name,
      selectorLabels: DEFAULT_SELECTOR_LABELS,
      ingressAnnotationPrefix: DEFAULT_ANNOTATION_PREFIX,
      onReconcile: (_seconds, _outcome, trigger) => reconciled.push({ at: Date.now(), trigger }),
    });
    await manager.start();
  });
  afterAll(async () => {
    await manager?.stop();
    await hooks?.stop();
    await ns?.cleanup();
  });

  it('skips the echoes of its own writes between steps and still promotes', async () => {
    const namespace = ns.name;
    await createPodinfo(kube, namespace, { replicas: 1 });
    await createCanary(
      kube,
      canaryManifest(namespace, {
        interval: '6s',
        threshold: 2,
        stepWeight: 20,
        maxWeight: 60,
        webhooks: [{ name: 'always-ok', type: 'rollout', url: `${hooks.url}/ok`, timeout: '5s' }],
      }),
    );
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Initialized',
    );
    await setImage(kube, namespace, '6.0.1');

    // When each weight was first seen (polled every 50 ms).
    const firstSeen = new Map<number, number>();
    await waitFor(
      'Succeeded',
      async () => {
        const status = (await getCanary(kube, namespace)).status;
        const weight = status?.canaryWeight;
        if (typeof weight === 'number' && !firstSeen.has(weight)) firstSeen.set(weight, Date.now());
        return status?.phase === 'Succeeded';
      },
      90_000,
      50,
    );
    const from = firstSeen.get(20);
    const to = firstSeen.get(60);
    expect(from, 'weight 20 seen').toBeDefined();
    expect(to, 'weight 60 seen').toBeDefined();
    // Two whole intervals (6 s each), shifted by 2 s so that the reconcile that records a weight (told
    // when it ends, after its Ingress write and Event) falls in with its step: the steps to 40 and to 60.
    const between = reconciled.filter((r) => r.at > from! + 2000 && r.at <= to! + 2000);
    const triggers = between.map((r) => r.trigger);
    console.log(`reconciles between weight 20 and weight 60 (2 steps): ${triggers.join(', ')}`);
    expect(triggers.filter((t) => t !== 'timer' && t !== 'checks')).toEqual([]);
    expect(triggers.filter((t) => t === 'timer').length).toBe(2);
    // The webhook answers in a few ms; one step may still miss the inline wait on a busy machine.
    expect(triggers.filter((t) => t === 'checks').length).toBeLessThanOrEqual(1);
  });
});
