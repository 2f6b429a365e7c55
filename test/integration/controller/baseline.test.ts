import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Canary } from '../../../src/api/types.ts';
import { controllerEnv } from '../controller-env.ts';
import {
  canaryManifest,
  createCanary,
  createPodinfo,
  getCanary,
  PODINFO_IMAGE,
  setImage,
} from '../fixtures.ts';
import { waitFor } from '../helpers.ts';
import { json, startFakeServer, type FakeServer } from '../metrics/fake-server.ts';
import { acceptRoute, gatewayCanary, readRoute, weightsOf } from './httproutes.ts';

const LATENCY = 'avg(latency_ms{workload="{{ workload }}"})';

/**
 * A Prometheus-shaped HTTP server on 127.0.0.1 for the compared metric: every range query gets ten samples
 * that differ only by noise, so the judge passes each interval; the queries it received show which
 * Deployment was queried for each side.
 */
async function samplesServer(): Promise<FakeServer> {
  return startFakeServer((req, res) => {
    if (req.url.pathname === '/api/v1/query')
      return json(res, 200, {
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, '1'] }] },
      });
    const end = Number(req.url.searchParams.get('end') ?? Date.now() / 1000);
    const values = Array.from({ length: 10 }, (_, k) => [end - 10 + k, String(100 + (k % 3))]);
    return json(res, 200, {
      status: 'success',
      data: { resultType: 'matrix', result: [{ metric: {}, values }] },
    });
  });
}

function baselineCanary(namespace: string, name: string, metricsServer: string): Canary {
  const canary = gatewayCanary(namespace, name);
  canary.spec.metricsServer = metricsServer;
  canary.spec.analysis = {
    interval: '2s',
    threshold: 2,
    stepWeight: 10,
    maxWeight: 30,
    metrics: [{ name: 'latency', query: LATENCY, compare: { direction: 'increase' } }],
    judge: { baseline: true, lookback: '10s', sampleStep: '1s' },
  };
  return canary;
}

describe('baseline (analysis.judge.baseline) on Gateway API', () => {
  const env = controllerEnv('baseline');
  let prom: FakeServer;
  beforeAll(async () => {
    prom = await samplesServer();
  });
  afterAll(async () => {
    await prom?.close();
  });

  it('starts <target>-baseline with the canary, routes primary 100-2w / baseline w / canary w, and stops it after promotion', async () => {
    const { kube } = env;
    const namespace = env.ns.name;
    await createPodinfo(kube, namespace, { name: 'bl' });
    await createCanary(kube, baselineCanary(namespace, 'bl', prom.url));
    await waitFor('the HTTPRoute', () => readRoute(kube, namespace, 'bl'));
    await acceptRoute(kube, namespace, 'bl');
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace, 'bl')).status?.phase === 'Initialized',
    );
    const deployments = async () =>
      (await kube.apps.listNamespacedDeployment({ namespace })).items.map((d) => d.metadata!.name!).sort();
    expect(await deployments()).toEqual(['bl', 'bl-primary']);

    // Every distinct split of the weighted rule while the release runs.
    const splits: string[] = [];
    let stopped = false;
    const poll = (async () => {
      while (!stopped) {
        const split = weightsOf(await readRoute(kube, namespace, 'bl')).join(' ');
        if (splits.at(-1) !== split) splits.push(split);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await setImage(kube, namespace, '6.0.1', 'bl');
    const baseline = await waitFor('the baseline Deployment at the canary size', async () => {
      const d = await kube.apps
        .readNamespacedDeployment({ name: 'bl-baseline', namespace })
        .catch(() => undefined);
      return d?.spec?.replicas === 2 && d;
    });
    const canary = await getCanary(kube, namespace, 'bl');
    expect(baseline.metadata?.ownerReferences).toMatchObject([
      { kind: 'Canary', name: 'bl', uid: canary.metadata.uid, controller: true },
    ]);
    expect(baseline.metadata?.labels?.['app.kubernetes.io/managed-by']).toBe('kanaria');
    expect(baseline.spec?.selector.matchLabels).toEqual({ app: 'bl-baseline' });
    expect(baseline.spec?.template.metadata?.labels?.app).toBe('bl-baseline');
    // The primary's version, with the primary's config copies.
    expect(baseline.spec?.template.spec?.containers[0].image).toBe(`${PODINFO_IMAGE}:6.0.0`);
    expect(baseline.spec?.template.spec?.volumes?.[0].configMap?.name).toBe('bl-config-primary');
    const service = await kube.core.readNamespacedService({ name: 'bl-baseline', namespace });
    expect(service.spec?.selector).toEqual({ app: 'bl-baseline' });

    await waitFor(
      'Succeeded',
      async () => (await getCanary(kube, namespace, 'bl')).status?.phase === 'Succeeded',
      90_000,
    );
    stopped = true;
    await poll;
    // The route goes back to the primary before Succeeded is recorded, possibly after the poll's last read.
    const final = weightsOf(await readRoute(kube, namespace, 'bl')).join(' ');
    if (splits.at(-1) !== final) splits.push(final);
    expect(splits).toEqual([
      'bl-primary=100 bl-canary=0',
      'bl-primary=80 bl-baseline=10 bl-canary=10',
      'bl-primary=60 bl-baseline=20 bl-canary=20',
      'bl-primary=40 bl-baseline=30 bl-canary=30',
      'bl-primary=100 bl-canary=0',
    ]);
    // The status is recorded before the writes it implies: the scale-down follows Succeeded.
    await waitFor(
      'the baseline at 0 replicas',
      async () =>
        (await kube.apps.readNamespacedDeployment({ name: 'bl-baseline', namespace })).spec?.replicas === 0,
    );
    expect(weightsOf(await readRoute(kube, namespace, 'bl'))).toEqual(['bl-primary=100', 'bl-canary=0']);

    // Between releases the stopped baseline follows the primary (now 6.0.1); a hand edit is put back.
    const image = async () =>
      (await kube.apps.readNamespacedDeployment({ name: 'bl-baseline', namespace })).spec?.template.spec
        ?.containers[0].image;
    await waitFor(
      'the baseline on the promoted template',
      async () => (await image()) === `${PODINFO_IMAGE}:6.0.1`,
    );
    await kube.apps.patchNamespacedDeployment(
      {
        name: 'bl-baseline',
        namespace,
        body: {
          spec: { template: { spec: { containers: [{ name: 'podinfod', image: 'example.com/edited:1' }] } } },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    await waitFor('the hand edit put back', async () => (await image()) === `${PODINFO_IMAGE}:6.0.1`);

    // The control side of the compared metric was the baseline, never the primary.
    const queries = prom.requests
      .filter((r) => r.url.pathname === '/api/v1/query_range')
      .map((r) => r.url.searchParams.get('query'));
    expect(queries).toContain('avg(latency_ms{workload="bl-baseline"})');
    expect(queries).toContain('avg(latency_ms{workload="bl"})');
    expect(queries).not.toContain('avg(latency_ms{workload="bl-primary"})');
  }, 180_000);

  it('refuses a baseline on ingress-nginx, saying why, and creates no baseline', async () => {
    const { kube } = env;
    const namespace = env.ns.name;
    await createPodinfo(kube, namespace, { name: 'nginx-bl' });
    await createCanary(
      kube,
      canaryManifest(
        namespace,
        {
          maxWeight: 30,
          metrics: [{ name: 'latency', query: LATENCY, compare: { direction: 'increase' } }],
          judge: { baseline: true },
        },
        'nginx-bl',
      ),
    );
    const ready = await waitFor('Ready=False', async () => {
      const c = await getCanary(kube, namespace, 'nginx-bl');
      const condition = c.status?.conditions?.find((x) => x.type === 'Ready');
      return condition?.status === 'False' && condition;
    });
    expect(ready.reason).toBe('InvalidSpec');
    expect(ready.message).toContain(
      "spec.analysis.judge.baseline: needs spec.provider gatewayapi:v1: ingress-nginx's canary Ingress has one weight (canary-weight) and cannot give a baseline its own share",
    );
    const names = (await kube.apps.listNamespacedDeployment({ namespace })).items.map(
      (d) => d.metadata!.name,
    );
    expect(names).not.toContain('nginx-bl-baseline');
  }, 60_000);
});
