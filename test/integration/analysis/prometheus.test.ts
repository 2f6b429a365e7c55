import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom, TestBackend } from '../../../src/dataplane/backend.ts';
import { SimulatedNginx } from '../../../src/dataplane/dataplane.ts';
import { startPrometheus, type PrometheusServer } from '../../../src/devcluster/prometheus.ts';
import { startController, type RunningController } from '../../../src/controller/run.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import {
  canaryManifest,
  createCanary,
  createPodinfo,
  eventsOf,
  notesOnceSeen,
  getCanary,
  recordWeights,
  setImage,
} from '../fixtures.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';

const metrics = [
  { name: 'request-success-rate', interval: '10s', thresholdRange: { min: 99 } },
  { name: 'request-duration', interval: '10s', thresholdRange: { max: 1000 } },
];

/** One app behind the simulated ingress-nginx data plane: two real backends and generated traffic. */
async function app(kube: Kube, namespace: string, name: string) {
  const primary = await TestBackend.start({ name: `${name}-primary` });
  const canary = await TestBackend.start({ name: `${name}-canary` });
  const sim = new SimulatedNginx({
    kube,
    namespace,
    ingress: name,
    primary,
    canary,
    rps: 40,
    random: seededRandom(11),
    maxDurationMs: 180_000,
  });
  await sim.start();
  return {
    primary,
    canary,
    sim,
    stop: async () => {
      await sim.stop();
      await primary.close();
      await canary.close();
    },
  };
}

describe('metric analysis with the real Prometheus server', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let prom: PrometheusServer;
  let controller: RunningController;
  let healthy: Awaited<ReturnType<typeof app>>;
  let bursty: Awaited<ReturnType<typeof app>>;

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'prom');
    for (const name of ['healthy', 'bursty', 'silent']) await createPodinfo(kube, ns.name, { name });
    healthy = await app(kube, ns.name, 'healthy');
    bursty = await app(kube, ns.name, 'bursty');
    prom = await startPrometheus({ scrapeTargets: [healthy.sim.metricsTarget!, bursty.sim.metricsTarget!] });
    controller = await startController({
      kubeconfig: kubeconfigPath(),
      namespace: ns.name,
      log: createLogger('warn'),
      metricsServer: prom.url,
    });
  });
  afterAll(async () => {
    await controller?.stop();
    await healthy?.stop();
    await bursty?.stop();
    await prom?.stop();
    await ns?.cleanup();
  });

  it('promotes a canary whose series are healthy', async () => {
    const namespace = ns.name;
    await createCanary(kube, canaryManifest(namespace, { interval: '2s', threshold: 5, metrics }, 'healthy'));
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace, 'healthy')).status?.phase === 'Initialized',
    );
    const weights = recordWeights(kube, namespace, 'healthy-canary');
    await setImage(kube, namespace, '6.0.1', 'healthy');
    await waitFor(
      'Succeeded',
      async () => (await getCanary(kube, namespace, 'healthy')).status?.phase === 'Succeeded',
      120_000,
      250,
    );
    await weights.stop();
    expect(weights.seen).toEqual([0, 10, 20, 30, 40, 50, 0]);
    expect(healthy.canary.requests).toBeGreaterThan(0);
  });

  it('rolls back after `threshold` failed checks when the canary answers 5xx, with the measured rate in the events', async () => {
    const namespace = ns.name;
    bursty.canary.setErrorRate(0.5);
    await createCanary(kube, canaryManifest(namespace, { interval: '2s', threshold: 3, metrics }, 'bursty'));
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace, 'bursty')).status?.phase === 'Initialized',
    );
    await setImage(kube, namespace, '6.0.1', 'bursty');
    const failed = await waitFor(
      'Failed',
      async () => {
        const c = await getCanary(kube, namespace, 'bursty');
        return c.status?.phase === 'Failed' ? c : undefined;
      },
      120_000,
      250,
    );
    expect(failed.status?.failedChecks).toBe(3);
    expect(failed.status?.canaryWeight).toBe(0);
    const halts = (
      await notesOnceSeen(kube, namespace, 'bursty', (now) =>
        now.some((n) => /success rate \d+\.\d{2}% < 99%/.test(n)),
      )
    ).filter((n) => n.startsWith('Halt advancement'));
    expect(halts.length).toBeGreaterThanOrEqual(1);
    expect(halts.some((n) => /success rate \d+\.\d{2}% < 99%/.test(n))).toBe(true);
    const primary = await kube.apps.readNamespacedDeployment({ name: 'bursty-primary', namespace });
    expect(primary.spec?.template.spec?.containers[0].image).toBe('ghcr.io/stefanprodan/podinfo:6.0.0');
  });

  it('does not advance a canary without series and says it receives no traffic', async () => {
    const namespace = ns.name;
    await createCanary(
      kube,
      canaryManifest(namespace, { interval: '2s', threshold: 100, metrics }, 'silent'),
    );
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace, 'silent')).status?.phase === 'Initialized',
    );
    const weights = recordWeights(kube, namespace, 'silent-canary');
    await setImage(kube, namespace, '6.0.1', 'silent');
    await waitFor(
      'a no-values halt',
      async () => {
        const notes = (await eventsOf(kube, namespace, 'silent')).map((e) => e.note);
        return notes.some((n) =>
          n.includes(
            `no values found for nginx metric request-success-rate probably silent.${namespace} is not receiving traffic`,
          ),
        );
      },
      60_000,
      250,
    );
    await new Promise((r) => setTimeout(r, 6000));
    await weights.stop();
    const c = await getCanary(kube, namespace, 'silent');
    expect(c.status?.phase).toBe('Progressing');
    expect(Math.max(...weights.seen)).toBe(10);
    expect(c.status?.failedChecks ?? 0).toBeGreaterThanOrEqual(2);
  });
});
