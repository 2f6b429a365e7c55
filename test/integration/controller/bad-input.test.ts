import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Canary } from '../../../src/api/types.ts';
import { startController, type RunningController } from '../../../src/controller/run.ts';
import { describeError, type Kube } from '../../../src/kube/client.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { canaryManifest, createCanary, createPodinfo, eventsOf, getCanary } from '../fixtures.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';

async function rejection(kube: Kube, canary: unknown): Promise<string> {
  try {
    await createCanary(kube, canary as Canary);
  } catch (err) {
    return describeError(err);
  }
  throw new Error('the API server accepted an invalid Canary');
}

describe('bad input', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let controller: RunningController;

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'bad');
    controller = await startController({
      kubeconfig: kubeconfigPath(),
      namespace: ns.name,
      log: createLogger('silent'),
    });
  });
  afterAll(async () => {
    await controller?.stop();
    await ns.cleanup();
  });

  it('is rejected by the schema with the field named', async () => {
    const base = canaryManifest(ns.name);
    expect(
      await rejection(kube, {
        ...base,
        spec: { ...base.spec, analysis: { ...base.spec.analysis, stepWeight: 0 } },
      }),
    ).toMatch(/spec\.analysis\.stepWeight/);
    expect(
      await rejection(kube, {
        ...base,
        spec: { ...base.spec, analysis: { ...base.spec.analysis, maxWeight: 150 } },
      }),
    ).toMatch(/spec\.analysis\.maxWeight/);
    const { targetRef: _t, ...noTarget } = base.spec;
    expect(await rejection(kube, { ...base, spec: noTarget })).toMatch(/spec\.targetRef/);
    expect(
      await rejection(kube, {
        ...base,
        spec: { ...base.spec, analysis: { ...base.spec.analysis, interval: 'soon' } },
      }),
    ).toMatch(/spec\.analysis\.interval/);
    // Bounds checked by CEL at admission: intervals that would overflow a timer or spin, endless hooks.
    for (const interval of ['999999h', '1ms'])
      expect(
        await rejection(kube, {
          ...base,
          spec: { ...base.spec, analysis: { ...base.spec.analysis, interval } },
        }),
      ).toMatch(/spec\.analysis\.interval.*must be between 1s and 24h/);
    const hook = { name: 'slow', url: 'http://127.0.0.1:1/' };
    expect(
      await rejection(kube, {
        ...base,
        spec: { ...base.spec, analysis: { ...base.spec.analysis, webhooks: [{ ...hook, timeout: '1h' }] } },
      }),
    ).toMatch(/spec\.analysis\.webhooks\[0\]\.timeout.*must be between 1ms and 10m/);
    expect(
      await rejection(kube, {
        ...base,
        spec: { ...base.spec, analysis: { ...base.spec.analysis, webhooks: [{ ...hook, retries: 50 }] } },
      }),
    ).toMatch(/spec\.analysis\.webhooks\[0\]\.retries/);
  });

  it('reports a missing target with a condition and a Warning event, and keeps serving other canaries', async () => {
    const namespace = ns.name;
    await createCanary(kube, canaryManifest(namespace, {}, 'ghost'));
    const ghost = await waitFor('Ready=False on ghost', async () => {
      const c = await getCanary(kube, namespace, 'ghost');
      const ready = c.status?.conditions?.find((x) => x.type === 'Ready');
      return ready?.status === 'False' ? ready : undefined;
    });
    expect(ghost.reason).toBe('TargetNotFound');
    expect(ghost.message).toContain('Deployment ghost (spec.targetRef.name) not found');
    const events = await waitFor('warning event', async () => {
      const list = await eventsOf(kube, namespace, 'ghost');
      return list.some((e) => e.type === 'Warning') ? list : undefined;
    });
    expect(events.find((e) => e.type === 'Warning')?.note).toContain('create it or fix spec.targetRef');

    // An Ingress that does not route to the apex Service.
    await createPodinfo(kube, namespace, { name: 'other' });
    await kube.networking.createNamespacedIngress({
      namespace,
      body: {
        metadata: { name: 'elsewhere' },
        spec: {
          rules: [
            {
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: 'unrelated', port: { number: 80 } } },
                  },
                ],
              },
            },
          ],
        },
      },
    });
    const wrongIngress = canaryManifest(namespace, {}, 'other');
    wrongIngress.spec.ingressRef = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'elsewhere' };
    await createCanary(kube, wrongIngress);
    const cond = await waitFor('Ready=False on other', async () => {
      const c = await getCanary(kube, namespace, 'other');
      return c.status?.conditions?.find((x) => x.type === 'Ready' && x.status === 'False');
    });
    expect(cond.reason).toBe('IngressWithoutApexBackend');
    expect(cond.message).toContain('point a rule');

    // A Deployment whose selector uses none of the selector labels.
    await kube.apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'nolabel' },
        spec: {
          selector: { matchLabels: { tier: 'web' } },
          template: {
            metadata: { labels: { tier: 'web' } },
            spec: { containers: [{ name: 'c', image: 'nginx' }] },
          },
        },
      },
    });
    const noLabel = canaryManifest(namespace, {}, 'nolabel');
    delete noLabel.spec.ingressRef;
    await createCanary(kube, noLabel);
    const cond2 = await waitFor('Ready=False on nolabel', async () => {
      const c = await getCanary(kube, namespace, 'nolabel');
      return c.status?.conditions?.find((x) => x.type === 'Ready' && x.status === 'False');
    });
    expect(cond2.reason).toBe('NoSelectorLabel');

    // A healthy canary next to them still initialises.
    await createPodinfo(kube, namespace);
    await createCanary(kube, canaryManifest(namespace));
    await waitFor(
      'podinfo Initialized',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Initialized',
    );
  });

  it('warns at initialisation when a metrics provider does not answer', async () => {
    const namespace = ns.name;
    await createPodinfo(kube, namespace, { name: 'unmetered' });
    const canary = canaryManifest(
      namespace,
      { metrics: [{ name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } }] },
      'unmetered',
    );
    canary.spec.metricsServer = 'http://127.0.0.1:9';
    await createCanary(kube, canary);
    const events = await waitFor('provider warning', async () => {
      const list = await eventsOf(kube, namespace, 'unmetered');
      return list.some((e) => e.note.includes('is not available')) ? list : undefined;
    });
    expect(events.find((e) => e.note.includes('is not available'))).toMatchObject({
      type: 'Warning',
      note: expect.stringContaining('prometheus http://127.0.0.1:9 is not available'),
    });
  });
});
