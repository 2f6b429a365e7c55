/**
 * The observed-split check on a real data plane: the operator (in-process), a real Traefik serving the
 * ingress-nginx annotations, real Prometheus scraping Traefik, and pod processes (the pod runner's
 * simulation of containers). Requests that another Ingress sends past the canary route are seen, and the
 * release halts with a Warning that names the counts; on a data plane that routes by the weight it never
 * fires and the release promotes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Canary } from '../../src/api/types.ts';
import { installCrds } from '../../src/controller/install-crds.ts';
import { startController, type RunningController } from '../../src/controller/run.ts';
import { applyObjects, podinfoCanary, podinfoObjects, setImage } from '../../src/demo/app.ts';
import { startPrometheus, type PrometheusServer } from '../../src/devcluster/prometheus.ts';
import { readCanary } from '../../src/kube/canaries.ts';
import { statusCode, type Kube } from '../../src/kube/client.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { ensureNginxIngressClass } from '../../src/realproxy/ingress-class.ts';
import { startTraefik, type Traefik } from '../../src/realproxy/traefik.ts';
import { freshNamespace, load, testKube, waitFor, waitForProcesses } from './helpers.ts';

const HOST = 'split.example.local';

/** Sends requests to `path` through the proxy until stopped, a few at a time. */
function steadyLoad(url: string, path: string) {
  let stopped = false;
  let sent = 0;
  const loop = (async () => {
    while (!stopped) {
      await load(`${url}${path}`, HOST, 20, 4).catch(() => undefined);
      sent += 20;
      await sleep(50);
    }
  })();
  return {
    sent: () => sent,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

async function canaryEvents(kube: Kube, namespace: string): Promise<string[]> {
  const list = await kube.events.listNamespacedEvent({ namespace, fieldSelector: 'regarding.kind=Canary' });
  return list.items.map((e) => `${e.type} ${e.note ?? ''}`);
}

describe('observed split through Traefik', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let proxy: Traefik | undefined;
  let prometheus: PrometheusServer | undefined;
  let controller: RunningController | undefined;

  beforeAll(async () => {
    kube = testKube();
    await installCrds(kube);
    ns = await freshNamespace(kube, 'split');
    const namespace = ns.name;
    await ensureNginxIngressClass(kube);
    await applyObjects(kube, await podinfoObjects({ namespace, host: HOST, minReadySeconds: 1 }));
    proxy = await startTraefik({ kubeconfig: inject('kubeconfig'), namespace });
    prometheus = await startPrometheus({ scrapeTargets: [proxy.metricsTarget] });
    controller = await startController({
      kubeconfig: inject('kubeconfig'),
      namespace,
      metricsServer: prometheus.url,
      log: createLogger('warn'),
    });
    const canary: Canary = await podinfoCanary(namespace, {
      interval: '3s',
      threshold: 2,
      stepWeight: 10,
      maxWeight: 30,
      webhooks: [],
      metrics: [],
      observedSplit: { intervals: 2, minRequests: 30 },
    });
    canary.spec.ingressController = 'traefik';
    await applyObjects(kube, [canary as never]);
    await waitFor('the Canary to initialise', async () => {
      const c = await readCanary(kube, namespace, 'podinfo');
      return c?.status?.phase === 'Initialized';
    });
    await waitForProcesses(kube, namespace, 'app=podinfo-primary', 2);
  });

  afterAll(async () => {
    await controller?.stop();
    await prometheus?.stop();
    await proxy?.stop();
    await ns?.cleanup();
  });

  it('halts a release whose requests another Ingress sends past the canary, naming what it saw', async () => {
    const namespace = ns.name;
    // A second Ingress for the app's /api paths: Traefik prefers its longer rule, so /api requests never
    // meet the canary route of the original Ingress.
    await applyObjects(kube, [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'podinfo-api', namespace },
        spec: {
          ingressClassName: 'nginx',
          rules: [
            {
              host: HOST,
              http: {
                paths: [
                  {
                    path: '/api',
                    pathType: 'Prefix',
                    backend: { service: { name: 'podinfo', port: { number: 80 } } },
                  },
                ],
              },
            },
          ],
        },
      } as never,
    ]);
    const traffic = steadyLoad(proxy!.url, '/api/info');
    try {
      // The app's traffic runs before the release, as in a real cluster: Prometheus has its series.
      await sleep(5000);
      await setImage(kube, namespace, '6.0.1');
      const failed = await waitFor(
        'the release to halt on the observed split and roll back',
        async () => {
          const c = await readCanary(kube, namespace, 'podinfo');
          return c?.status?.phase === 'Failed' ? c : undefined;
        },
        90_000,
        200,
      );
      // Events follow the status write of their decision: wait for the first halt and for the rollback's
      // "Canary failed!", the last Event the failing decision writes (its outcome goes out after its other
      // Events), so that none of them lands in the next test's window.
      const events = await waitFor(
        'the halt and rollback events',
        async () => {
          const now = await canaryEvents(kube, namespace);
          const halted = now.some(
            (e) => e.includes('Halt advancement') && e.endsWith('2 intervals in a row)'),
          );
          return halted && now.some((e) => e.includes('Canary failed!')) && now;
        },
        10_000,
      ).catch(() => canaryEvents(kube, namespace));
      const halts = events.filter((e) => e.includes('requests reached the canary'));
      console.log(
        `observed split, shadowed route: ${traffic.sent()} requests sent; status.observedSplit ` +
          `${JSON.stringify(failed.status?.observedSplit)}\n  ${halts.join('\n  ')}`,
      );
      expect(halts.length).toBeGreaterThanOrEqual(1);
      // Events are listed in no particular order: the first halt is the one after 2 intervals in a row.
      const first = halts.find((e) => e.includes('Halt advancement') && e.endsWith('2 intervals in a row)'));
      expect(first).toMatch(
        /^Warning Halt advancement podinfo\.split-[a-z0-9-]+ canary-weight 10 but 0\.0% of [\d,]+ requests reached the canary \(expected 5-10%, binomial p < 1e-6/,
      );
      expect(failed.status?.observedSplit).toMatchObject({ weight: 10, canaryRequests: 0 });
      // The weight never went past the first step.
      expect(events.some((e) => e.includes('canary weight 20'))).toBe(false);
    } finally {
      await traffic.stop();
    }
  });

  it('never fires when the proxy routes by the weight: the release promotes with the split in status', async () => {
    const namespace = ns.name;
    await kube.networking
      .deleteNamespacedIngress({ name: 'podinfo-api', namespace })
      .catch((err: unknown) => {
        if (statusCode(err) !== 404) throw err;
      });
    const splitWarnings = async () =>
      (await canaryEvents(kube, namespace)).filter((e) => e.includes('requests reached the canary'));
    const before = await splitWarnings();
    const traffic = steadyLoad(proxy!.url, '/');
    try {
      await setImage(kube, namespace, '6.0.2');
      const seen: string[] = [];
      const done = await waitFor(
        'the release to promote',
        async () => {
          const c = await readCanary(kube, namespace, 'podinfo');
          const split = c?.status?.observedSplit;
          if (split && !seen.includes(split.at)) {
            seen.push(split.at);
            console.log(
              `observed split at weight ${split.weight}: ${split.canaryRequests} of ${split.requests} = ${split.share}%, p ${split.pValue}`,
            );
          }
          return c?.status?.phase === 'Succeeded' ? c : undefined;
        },
        90_000,
        200,
      );
      expect(await splitWarnings()).toEqual(before);
      expect(done.status?.observedSplit?.weight).toBe(30);
      expect(done.status?.observedSplit?.incompatibleIntervals).toBe(0);
      expect(done.status?.observedSplit?.share).toBeGreaterThan(15);
    } finally {
      await traffic.stop();
    }
  });
});
