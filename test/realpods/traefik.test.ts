import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import type { Kube } from '../../src/kube/client.ts';
import { ensureNginxIngressClass } from '../../src/realproxy/ingress-class.ts';
import { app, counters, freshNamespace, load, testKube, waitFor, waitForProcesses } from './helpers.ts';
import { findTraefik, startTraefik, TRAEFIK_MISSING, type Traefik } from '../../src/realproxy/traefik.ts';
import { inject } from 'vitest';

const traefikBinary = await findTraefik();
if (!traefikBinary) throw new Error(`realpods: ${TRAEFIK_MISSING}`);

const HOST = 'podinfo.example.local';
const REQUESTS = 2_000;
const WEIGHT = 20;

function ingress(name: string, service: string, annotations: Record<string, string> = {}) {
  return {
    metadata: { name, annotations },
    spec: {
      ingressClassName: 'nginx',
      rules: [
        {
          host: HOST,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: service, port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    },
  };
}

/** The sum of Traefik's request counters of the canary backend (named after the primary, with -canary). */
async function traefikCanaryRequests(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  return text
    .split('\n')
    .filter(
      (l) => l.startsWith('traefik_service_requests_total{') && /-canary@kubernetesingressnginx"/.test(l),
    )
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

async function servedBy(pods: V1Pod[]): Promise<number[]> {
  return Promise.all(pods.map(async (p) => (await counters(p.status?.podIP ?? '')).requests));
}

describe('Traefik (ingress-nginx provider) in front of simulated pods', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let proxy: Traefik | undefined;
  let primaryPods: V1Pod[];
  let canaryPods: V1Pod[];

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'traefik');
    const namespace = ns.name;
    await ensureNginxIngressClass(kube);
    await app(kube, namespace, 'podinfo', '6.0.1');
    await app(kube, namespace, 'podinfo-canary', '6.0.2');
    await kube.networking.createNamespacedIngress({ namespace, body: ingress('podinfo', 'podinfo') });
    await kube.networking.createNamespacedIngress({
      namespace,
      body: ingress('podinfo-canary', 'podinfo-canary', {
        'nginx.ingress.kubernetes.io/canary': 'true',
        'nginx.ingress.kubernetes.io/canary-weight': String(WEIGHT),
      }),
    });
    primaryPods = await waitForProcesses(kube, namespace, 'app=podinfo', 2);
    canaryPods = await waitForProcesses(kube, namespace, 'app=podinfo-canary', 2);
    proxy = await startTraefik({ binary: traefikBinary, kubeconfig: inject('kubeconfig'), namespace });
  });

  afterAll(async () => {
    await proxy?.stop();
    await ns?.cleanup();
  });

  it(`splits ${REQUESTS} requests by canary-weight ${WEIGHT}: the canary pods' own counters show it`, async () => {
    const url = `${proxy!.url}/`;
    await waitFor(
      'Traefik to route to both the primary and the canary',
      async () => {
        const { versions } = await load(url, HOST, 10, 1);
        return versions['6.0.1'] > 0 && versions['6.0.2'] > 0;
      },
      30_000,
      100,
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}\n--- traefik log:\n${await proxy!.logTail()}`);
    });

    const canaryBefore = await servedBy(canaryPods);
    const primaryBefore = await servedBy(primaryPods);
    const traefikBefore = await traefikCanaryRequests(proxy!.metricsUrl);
    const started = performance.now();
    const { versions, statuses } = await load(url, HOST, REQUESTS);
    const seconds = (performance.now() - started) / 1000;
    const canaryServed = (await servedBy(canaryPods)).map((n, i) => n - canaryBefore[i]);
    const primaryServed = (await servedBy(primaryPods)).map((n, i) => n - primaryBefore[i]);
    const traefikCanary = (await traefikCanaryRequests(proxy!.metricsUrl)) - traefikBefore;
    const canary = canaryServed.reduce((a, b) => a + b, 0);
    const primary = primaryServed.reduce((a, b) => a + b, 0);
    // Binomial: n·p = 400, σ = sqrt(n·p·(1−p)) ≈ 17.9; Traefik's weighted round robin is deterministic, so
    // the count is 400 up to the requests the warm-up sent; 4σ leaves room for a random balancer too.
    const expected = (REQUESTS * WEIGHT) / 100;
    const tolerance = Math.ceil(4 * Math.sqrt(REQUESTS * (WEIGHT / 100) * (1 - WEIGHT / 100)));
    console.log(
      `${REQUESTS} requests through Traefik in ${seconds.toFixed(1)} s (${Math.round(REQUESTS / seconds)}/s): ` +
        `canary pods served ${canaryServed.join(' + ')} = ${canary} (expected ${expected} ± ${tolerance}), ` +
        `primary pods ${primaryServed.join(' + ')} = ${primary}; Traefik counted ${traefikCanary} for the canary`,
    );
    expect(statuses).toEqual({ 200: REQUESTS });
    expect(canary + primary).toBe(REQUESTS);
    expect(versions['6.0.2'] ?? 0).toBe(canary);
    expect(Math.abs(canary - expected)).toBeLessThanOrEqual(tolerance);
    expect(canaryServed.every((n) => n > 0)).toBe(true);
    expect(traefikCanary).toBe(canary);
  });
});
