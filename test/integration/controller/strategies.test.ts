import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startController, type RunningController } from '../../../src/controller/run.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { canaryManifest, createCanary, createPodinfo, getCanary, setImage } from '../fixtures.ts';
import { HookServer } from '../hook-server.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';

const P = 'nginx.ingress.kubernetes.io';

/** Polls the canary Ingress and keeps each distinct routing state (weight + header rules). */
function recordRoutes(kube: Kube, namespace: string, ingress: string) {
  const seen: string[] = [];
  let stopped = false;
  const sampleOnce = async () => {
    try {
      const a =
        (await kube.networking.readNamespacedIngress({ name: ingress, namespace })).metadata?.annotations ??
        {};
      const state = `w=${a[`${P}/canary-weight`]} h=${a[`${P}/canary-by-header`] ?? '-'}:${a[`${P}/canary-by-header-value`] ?? '-'}`;
      if (seen.at(-1) !== state) seen.push(state);
    } catch {
      /* not yet */
    }
  };
  const loop = (async () => {
    while (!stopped) {
      await sampleOnce();
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  // One last sample after stopping: Succeeded follows the last route write within milliseconds.
  return { seen, stop: async () => ((stopped = true), await loop, await sampleOnce()) };
}

describe('release strategies and HPA', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let controller: RunningController;
  let hooks: HookServer;

  beforeAll(async () => {
    hooks = await new HookServer().start();
    kube = testKube();
    ns = await freshNamespace(kube, 'strategies');
    controller = await startController({
      kubeconfig: kubeconfigPath(),
      namespace: ns.name,
      log: createLogger(process.env.KANARIA_TEST_LOG ?? 'warn'),
    });
  });
  afterAll(async () => {
    await hooks?.stop();
    await controller?.stop();
    await ns.cleanup();
  });

  it('A/B: routes by header during the iterations, removes the rules afterwards', async () => {
    const namespace = ns.name;
    await createPodinfo(kube, namespace, { name: 'ab' });
    await createCanary(
      kube,
      canaryManifest(
        namespace,
        {
          interval: '1s',
          iterations: 3,
          stepWeight: undefined,
          maxWeight: undefined,
          match: [{ headers: { 'x-canary': { exact: 'insider' } } }],
        },
        'ab',
      ),
    );
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace, 'ab')).status?.phase === 'Initialized',
    );
    const routes = recordRoutes(kube, namespace, 'ab-canary');
    await setImage(kube, namespace, '6.0.1', 'ab');
    await waitFor(
      'Succeeded',
      async () => (await getCanary(kube, namespace, 'ab')).status?.phase === 'Succeeded',
      60_000,
    );
    await routes.stop();
    expect(routes.seen).toEqual(['w=0 h=-:-', 'w=0 h=x-canary:insider', 'w=0 h=-:-']);
  });

  it('Blue/Green: weight 0 during the iterations, then all traffic at once, then promotion', async () => {
    const namespace = ns.name;
    await createPodinfo(kube, namespace, { name: 'bg' });
    hooks.observe = async () => ({
      weight: (await kube.networking.readNamespacedIngress({ name: 'bg-canary', namespace })).metadata
        ?.annotations?.[`${P}/canary-weight`],
      primary: (await kube.apps.readNamespacedDeployment({ name: 'bg-primary', namespace })).spec?.template
        .spec?.containers[0].image,
    });
    await createCanary(
      kube,
      canaryManifest(
        namespace,
        {
          interval: '1s',
          iterations: 3,
          stepWeight: undefined,
          maxWeight: undefined,
          webhooks: [{ name: 'smoke', type: 'rollout', url: `${hooks.url}/smoke` }],
        },
        'bg',
      ),
    );
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace, 'bg')).status?.phase === 'Initialized',
    );
    const routes = recordRoutes(kube, namespace, 'bg-canary');
    await setImage(kube, namespace, '6.0.1', 'bg');
    const done = await waitFor(
      'Succeeded',
      async () => {
        const c = await getCanary(kube, namespace, 'bg');
        return c.status?.phase === 'Succeeded' ? c : undefined;
      },
      60_000,
    );
    await routes.stop();
    expect(routes.seen).toEqual(['w=0 h=-:-', 'w=100 h=-:-', 'w=0 h=-:-']);
    expect(done.status?.iterations).toBe(3);
    // What each check saw while it ran: one passed at weight 100 while the primary still ran 6.0.0.
    const seen = hooks.callsTo('/smoke').map((c) => c.observed);
    expect(seen).toContainEqual({ weight: '100', primary: 'ghcr.io/stefanprodan/podinfo:6.0.0' });
    expect(seen.at(-1)).toEqual({ weight: '100', primary: 'ghcr.io/stefanprodan/podinfo:6.0.0' });
    const primary = await kube.apps.readNamespacedDeployment({ name: 'bg-primary', namespace });
    expect(primary.spec?.template.spec?.containers[0].image).toBe('ghcr.io/stefanprodan/podinfo:6.0.1');
  });

  it('HPA: creates <hpa>-primary for the primary, keeps it in line, and scales the canary to the HPA minimum', async () => {
    const namespace = ns.name;
    await createPodinfo(kube, namespace, { name: 'scaled', replicas: 1 });
    await kube.autoscaling.createNamespacedHorizontalPodAutoscaler({
      namespace,
      body: {
        metadata: { name: 'scaled' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'scaled' },
          minReplicas: 3,
          maxReplicas: 6,
          metrics: [
            {
              type: 'Resource',
              resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
            },
          ],
        },
      },
    });
    const canary = canaryManifest(namespace, { interval: '2s' }, 'scaled');
    canary.spec.autoscalerRef = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      name: 'scaled',
    };
    await createCanary(kube, canary);
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace, 'scaled')).status?.phase === 'Initialized',
    );
    const hpa = await kube.autoscaling.readNamespacedHorizontalPodAutoscaler({
      name: 'scaled-primary',
      namespace,
    });
    expect(hpa.spec?.scaleTargetRef.name).toBe('scaled-primary');
    expect(hpa.spec?.minReplicas).toBe(3);
    expect(hpa.spec?.maxReplicas).toBe(6);
    expect(hpa.spec?.metrics?.[0].resource?.target.averageUtilization).toBe(80);

    await kube.autoscaling.replaceNamespacedHorizontalPodAutoscaler({
      name: 'scaled',
      namespace,
      body: {
        ...(await kube.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'scaled', namespace })),
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'scaled' },
          minReplicas: 3,
          maxReplicas: 9,
        },
      },
    });
    await waitFor(
      'primary HPA updated',
      async () =>
        (await kube.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'scaled-primary', namespace }))
          .spec?.maxReplicas === 9,
    );

    await setImage(kube, namespace, '6.0.1', 'scaled');
    const progressing = await waitFor(
      'Progressing',
      async () => {
        const c = await getCanary(kube, namespace, 'scaled');
        return c.status?.phase === 'Progressing' ? c : undefined;
      },
      30_000,
      50,
    );
    expect(progressing.status?.canaryReplicas).toBe(3);
    await waitFor(
      'weight 10',
      async () => ((await getCanary(kube, namespace, 'scaled')).status?.canaryWeight ?? 0) >= 10,
      30_000,
      50,
    );
    // Scale the canary the way its HPA would under load, through the scale subresource.
    await kube.apps.patchNamespacedDeploymentScale(
      { name: 'scaled', namespace, body: { spec: { replicas: 5 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const replicasSeen = new Set<number>();
    await waitFor(
      'Finalising or Succeeded',
      async () => {
        const phase = (await getCanary(kube, namespace, 'scaled')).status?.phase;
        if (phase === 'Finalising' || phase === 'Succeeded') return true;
        const target = await kube.apps.readNamespacedDeployment({ name: 'scaled', namespace });
        replicasSeen.add(target.spec?.replicas ?? -1);
        return undefined;
      },
      60_000,
      50,
    );
    expect([...replicasSeen]).toEqual([5]);
    await waitFor(
      'Succeeded',
      async () => (await getCanary(kube, namespace, 'scaled')).status?.phase === 'Succeeded',
      60_000,
    );
  });
});
