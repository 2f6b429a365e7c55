import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedNginx } from '../../../src/dataplane/dataplane.ts';
import { seededRandom, TestBackend } from '../../../src/dataplane/backend.ts';
import { startPrometheus, type PrometheusServer } from '../../../src/devcluster/prometheus.ts';
import type { Kube } from '../../../src/kube/client.ts';
import type { V1Ingress } from '../../../src/kube/types.ts';
import { freshNamespace, testKube, waitFor } from '../helpers.ts';

const P = 'nginx.ingress.kubernetes.io';

function ingress(
  name: string,
  namespace: string,
  service: string,
  annotations?: Record<string, string>,
): V1Ingress {
  return {
    metadata: { name, namespace, annotations },
    spec: {
      ingressClassName: 'nginx',
      rules: [
        {
          host: 'app.example.com',
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: service, port: { number: 9898 } } },
              },
            ],
          },
        },
      ],
    },
  };
}

interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(prom: PrometheusServer, q: string): Promise<VectorSample[]> {
  const res = await fetch(`${prom.url}/api/v1/query?${new URLSearchParams({ query: q })}`);
  const body = (await res.json()) as { status: string; error?: string; data: { result: VectorSample[] } };
  if (body.status !== 'success') throw new Error(`query failed: ${body.error}`);
  return body.data.result;
}

/** The single value of a query, or undefined while it has none (no samples yet, or NaN). */
async function scalar(prom: PrometheusServer, q: string): Promise<number | undefined> {
  const [first] = await query(prom, q);
  const v = first ? Number(first.value[1]) : NaN;
  return Number.isFinite(v) ? v : undefined;
}

describe('simulated ingress-nginx data plane scraped by real Prometheus', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let primary: TestBackend;
  let canary: TestBackend;
  let sim: SimulatedNginx;
  let prom: PrometheusServer;

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'dp');
    await kube.networking.createNamespacedIngress({
      namespace: ns.name,
      body: ingress('podinfo', ns.name, 'podinfo'),
    });
    await kube.networking.createNamespacedIngress({
      namespace: ns.name,
      body: ingress('podinfo-canary', ns.name, 'podinfo-canary', {
        [`${P}/canary`]: 'true',
        [`${P}/canary-weight`]: '30',
      }),
    });
    primary = await TestBackend.start({ name: 'primary' });
    canary = await TestBackend.start({ name: 'canary' });
    sim = new SimulatedNginx({
      kube,
      namespace: ns.name,
      ingress: 'podinfo',
      primary,
      canary,
      rps: 50,
      random: seededRandom(7),
      maxDurationMs: 90_000,
    });
    await sim.start();
    prom = await startPrometheus({ scrapeTargets: [sim.metricsTarget!] });
  });

  afterAll(async () => {
    await sim?.stop();
    await prom?.stop();
    await primary?.close();
    await canary?.close();
    await ns?.cleanup();
  });

  const sel = () => `namespace="${ns.name}",ingress="podinfo"`;
  const canaryRate = () => `sum(rate(nginx_ingress_controller_requests{${sel()},canary!=""}[10s]))`;

  it('routes by weight, labels canary traffic like ingress-nginx and shows failures in the success rate', async () => {
    await waitFor('Prometheus to see canary traffic', () => scalar(prom, canaryRate()), 30_000, 500);
    // A few scrapes into the window, so that rates are not extrapolated from two samples.
    const scrapes = `min(count_over_time(nginx_ingress_controller_requests{${sel()}}[10s]))`;
    await waitFor(
      'three scrapes of each series',
      async () => ((await scalar(prom, scrapes)) ?? 0) >= 3,
      20_000,
      250,
    );

    // Both kinds of traffic carry the main Ingress and its Service; only canary traffic has `canary`.
    const series = await query(
      prom,
      `count by (ingress, service, canary, path, host) (nginx_ingress_controller_requests{namespace="${ns.name}"})`,
    );
    expect(
      series.map((s) => s.metric).sort((a, b) => (a.canary ?? '').localeCompare(b.canary ?? '')),
    ).toEqual([
      { ingress: 'podinfo', service: 'podinfo', path: '/', host: 'app.example.com' },
      {
        ingress: 'podinfo',
        service: 'podinfo',
        canary: `${ns.name}-podinfo-canary-9898`,
        path: '/',
        host: 'app.example.com',
      },
    ]);
    const [sample] = await query(prom, `nginx_ingress_controller_requests{${sel()},canary!=""}`);
    expect(sample.metric).toMatchObject({
      method: 'GET',
      status: '200',
      controller_class: 'k8s.io/ingress-nginx',
      controller_namespace: 'ingress-nginx',
      job: 'nginx',
    });

    // ~30% of the requests go to the canary, by the simulation's own count and by Prometheus.
    const { primary: p, canary: c } = sim.counters;
    expect(c / (p + c)).toBeGreaterThan(0.15);
    expect(c / (p + c)).toBeLessThan(0.45);
    const share = await scalar(
      prom,
      `${canaryRate()} / sum(rate(nginx_ingress_controller_requests{${sel()}}[10s]))`,
    );
    expect(share).toBeGreaterThan(0.15);
    expect(share).toBeLessThan(0.45);
    expect(canary.requests).toBeGreaterThan(0);
    expect(primary.requests).toBeGreaterThan(canary.requests);

    // Flagger's request-duration query has a value (in ms) from the measured upstream calls.
    const duration = await scalar(
      prom,
      `sum(rate(nginx_ingress_controller_response_duration_seconds_sum{${sel()},canary!=""}[10s])) / ` +
        `sum(rate(nginx_ingress_controller_response_duration_seconds_count{${sel()},canary!=""}[10s])) * 1000`,
    );
    expect(duration).toBeGreaterThan(0);

    // Half of the canary's answers fail: Flagger's success-rate query drops below 80%.
    const successRate =
      `sum(rate(nginx_ingress_controller_requests{${sel()},canary!="",status!~"5.*"}[10s])) / ` +
      `sum(rate(nginx_ingress_controller_requests{${sel()},canary!=""}[10s])) * 100`;
    expect(await scalar(prom, successRate)).toBe(100);
    canary.setErrorRate(0.5);
    const dropped = await waitFor(
      'the canary success rate to drop below 80%',
      async () => {
        const v = await scalar(prom, successRate);
        return v !== undefined && v < 80 ? v : undefined;
      },
      30_000,
      500,
    );
    expect(dropped).toBeGreaterThan(20);
    expect(sim.stats.errors.canary).toBeGreaterThan(0);
    expect(sim.stats.errors.primary).toBe(0);
  });

  it('sends no request to the canary once its weight is 0', async () => {
    const current = await kube.networking.readNamespacedIngress({
      name: 'podinfo-canary',
      namespace: ns.name,
    });
    current.metadata!.annotations![`${P}/canary-weight`] = '0';
    await kube.networking.replaceNamespacedIngress({
      name: 'podinfo-canary',
      namespace: ns.name,
      body: current,
    });
    await waitFor('the data plane to see weight 0', async () => sim.canaryRules?.weight === 0, 10_000, 50);

    const t = Date.now();
    const before = sim.counters;
    await sleep(2000);
    expect(sim.canarySince(t)).toBe(0);
    expect(sim.counters.canary).toBe(before.canary);
    expect(sim.counters.primary - before.primary).toBeGreaterThan(50);
  });

  it('routes requests carrying the canary header when the canary matches by header', async () => {
    const current = await kube.networking.readNamespacedIngress({
      name: 'podinfo-canary',
      namespace: ns.name,
    });
    Object.assign(current.metadata!.annotations!, {
      [`${P}/canary-by-header`]: 'x-canary',
      [`${P}/canary-by-header-value`]: 'insider',
    });
    await kube.networking.replaceNamespacedIngress({
      name: 'podinfo-canary',
      namespace: ns.name,
      body: current,
    });
    await waitFor(
      'the data plane to see the header rule',
      async () => sim.canaryRules?.header === 'x-canary',
      10_000,
      50,
    );

    sim.setTraffic([{ share: 0.2, headers: { 'x-canary': 'insider' } }]);
    const before = sim.counters;
    await sleep(2000);
    const p = sim.counters.primary - before.primary;
    const c = sim.counters.canary - before.canary;
    expect(c / (p + c)).toBeGreaterThan(0.15);
    expect(c / (p + c)).toBeLessThan(0.25);
  });
});
