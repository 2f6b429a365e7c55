/**
 * The e2e environment on a real proxy (`npm run e2e`, inside hack/in-netns.sh's network namespace): the
 * control plane of e2e/global-setup.ts, whose pods get addresses from 198.18.0.0/16 and one real HTTP
 * process each from the pod runner (a SIMULATION of the kubelet's containers, src/podrunner); one real
 * Traefik serving every namespace's Ingresses with its ingress-nginx provider (which honours the canary
 * annotations Kanaria writes); one real Prometheus scraping Traefik alone; the operator as its own
 * process reading Traefik's series (`spec.ingressController: traefik`); Kanaria's load tester for the
 * webhooks; and per app a load generator sending user traffic through Traefik.
 *
 * What reached which version is what the pods' own processes counted (src/realproxy/pod-counts.ts). Webhooks reach
 * the canary pods through the load tester, which resolves `http://<service>.<namespace>/` to a ready
 * endpoint of the Service when it runs (no kube-proxy here: ClusterIPs route nowhere).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';
import { applyObjects, podinfoObjects, releasePodTemplate } from '../src/demo/app.ts';
import { startLoadTester, type LoadTester } from '../src/demo/loadtester.ts';
import { serviceResolver } from '../src/demo/service-resolver.ts';
import { startPrometheus, type PrometheusServer } from '../src/devcluster/prometheus.ts';
import { createKube, type Kube } from '../src/kube/client.ts';
import { ensureNginxIngressClass } from '../src/realproxy/ingress-class.ts';
import { startLoadGenerator } from '../src/realproxy/load-generator.ts';
import { appCounts, processCounters } from '../src/realproxy/pod-counts.ts';
import { startTraefik, type Traefik } from '../src/realproxy/traefik.ts';
import { canaryWeights } from '../src/realproxy/traefik-api.ts';
import { freshNamespace, waitFor } from '../test/integration/helpers.ts';
import { waitForProcesses } from '../test/realpods/helpers.ts';
import type { AppOptions, AppUnderTest, E2EEnvironment, OperatorUnderTest } from './harness.ts';
import { loadTesterHooks } from './hooks.ts';
import { startLocalOperator } from './operator.ts';

/** Between Traefik's API showing a configuration and its handlers serving it: a few ms; kept wide. */
const API_TO_ROUTING_MS = 50;
/** Prometheus needs a few scrapes of a new target before rates over it mean anything. */
const PROMETHEUS_WARM_UP_MS = 5000;
interface Shared {
  kube: Kube;
  traefik: Traefik;
  loadTester: LoadTester;
  /** The pod runner's status server (e2e/global-setup.ts). */
  runnerUrl: string;
}

async function traefikApp(
  { kube, traefik, loadTester, runnerUrl }: Shared,
  namespace: string,
  options: AppOptions,
): Promise<AppUnderTest> {
  const name = 'podinfo';
  const host = `${namespace}.e2e.local`;
  // minReadySeconds: KWOK reports a pod Ready at once, its process listens a moment later; the operator
  // waits for available replicas, so it sends no traffic to pods whose process may not listen yet.
  await applyObjects(kube, await podinfoObjects({ namespace, host, minReadySeconds: 1 }));
  await waitForProcesses(kube, namespace, `app=${name}`, 2);
  const traffic = startLoadGenerator({
    url: traefik.url,
    host,
    rps: options.rps ?? 40,
    traffic: options.traffic,
  });
  const match = { header: options.abHeader, cookie: options.abCookie };
  const canaryUrl = `http://${name}-canary.${namespace}`;
  return {
    namespace,
    name,
    counts: async () => appCounts(await processCounters(runnerUrl, namespace), name, match),
    // Observed through Traefik itself: once the Ingress says so (so an older state Traefik still has is
    // not mistaken for it), its API must show the canary backend at that weight.
    async routedAt(weight, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      await waitFor(
        `canary weight ${weight} on the Ingress`,
        async () => {
          const ing = await kube.networking.readNamespacedIngress({ name: `${name}-canary`, namespace });
          return ing.metadata?.annotations?.['nginx.ingress.kubernetes.io/canary-weight'] === String(weight);
        },
        timeoutMs,
        20,
      );
      await waitFor(
        `canary weight ${weight} in Traefik`,
        async () => {
          const weights = [...(await canaryWeights(traefik.apiUrl, namespace, name)).values()];
          return weights.length > 0 && weights.every((w) => w === weight);
        },
        Math.max(1_000, deadline - Date.now()),
        20,
      );
      await sleep(API_TO_ROUTING_MS);
      return Date.now();
    },
    release: async (version, { errorRate } = {}) => {
      await releasePodTemplate(kube, namespace, name, version, errorRate);
    },
    errorsReachHooks: true,
    hooks: loadTesterHooks(loadTester.url, canaryUrl),
    stop: () => traffic.stop(),
  };
}

export async function traefikEnvironment(kubeconfig: string): Promise<E2EEnvironment> {
  const kube = createKube(kubeconfig);
  await ensureNginxIngressClass(kube);
  let traefik: Traefik | undefined;
  let prometheus: PrometheusServer | undefined;
  let loadTester: LoadTester | undefined;
  try {
    traefik = await startTraefik({ kubeconfig });
    prometheus = await startPrometheus({ scrapeTargets: [traefik.metricsTarget] });
    loadTester = await startLoadTester({ resolver: serviceResolver(kube) });
  } catch (err) {
    await prometheus?.stop();
    await traefik?.stop();
    throw err;
  }
  const promStarted = Date.now();
  const shared: Shared = { kube, traefik, loadTester, runnerUrl: inject('podRunnerUrl') };
  const prom = prometheus;
  const apps: AppUnderTest[] = [];
  const operators: OperatorUnderTest[] = [];
  return {
    kind: 'traefik',
    kube,
    kubeconfig,
    prometheusUrl: prom.url,
    // Traefik names the canary's service after the primary backend, with -canary (see README).
    canaryRequestsQuery: (namespace) =>
      `sum(traefik_service_requests_total{service=~"${namespace}-.*-canary@kubernetesingressnginx"})`,
    canarySpec: { ingressController: 'traefik' },
    localReceiversReachable: true,
    loadTesterCalls: () => shared.loadTester.calls,
    namespace: (prefix) => freshNamespace(kube, prefix),
    async deployApp(namespace, options = {}) {
      const app = await traefikApp(shared, namespace, options);
      apps.push(app);
      const warm = promStarted + PROMETHEUS_WARM_UP_MS - Date.now();
      if (warm > 0) await sleep(warm);
      return app;
    },
    async startOperator(namespace) {
      const op = await startLocalOperator(kubeconfig, namespace, prom.url);
      operators.push(op);
      return op;
    },
    async stop() {
      for (const op of operators) await op.stop();
      for (const app of apps) await app.stop();
      await shared.loadTester.close();
      await prom.stop();
      await shared.traefik.stop();
    },
  };
}
