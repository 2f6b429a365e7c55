/**
 * The default e2e environment: the local control plane the test setup started, the operator as its
 * own process (`kanaria controller`), and per app the SIMULATED ingress-nginx data plane in front of
 * two test backends; one real Prometheus scrapes the simulation's series, one load tester runs the
 * webhooks. Everything listens on 127.0.0.1 and stops with `stop()`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { seededRandom, TestBackend } from '../src/dataplane/backend.ts';
import { SimulatedNginx } from '../src/dataplane/dataplane.ts';
import { SimulatedNginxExporter } from '../src/dataplane/exporter.ts';
import { applyObjects, podinfoObjects, setImage } from '../src/demo/app.ts';
import { startLoadTester, type LoadTester } from '../src/demo/loadtester.ts';
import { startPrometheus, type PrometheusServer } from '../src/devcluster/prometheus.ts';
import { createKube, type Kube } from '../src/kube/client.ts';
import { freshNamespace } from '../test/integration/helpers.ts';
import {
  ingressOnlyOptions,
  nginxCanaryRequestsQuery,
  type AppOptions,
  type AppUnderTest,
  type E2EEnvironment,
  type OperatorUnderTest,
} from './harness.ts';
import { loadTesterHooks } from './hooks.ts';
import { HeaderTap } from './header-tap.ts';
import { startLocalOperator } from './operator.ts';

/** Prometheus needs a few scrapes of a new target before rates over it mean anything. */
const PROMETHEUS_WARM_UP_MS = 5000;

async function simulatedApp(
  kube: Kube,
  exporter: SimulatedNginxExporter,
  loadTester: LoadTester,
  namespace: string,
  options: AppOptions,
): Promise<AppUnderTest> {
  const name = 'podinfo';
  const abHeader = ingressOnlyOptions('simulation', options);
  await applyObjects(
    kube,
    await podinfoObjects({ namespace, host: `${namespace}.e2e.local`, minReadySeconds: 0 }),
  );
  const primary = await TestBackend.start({ name: `${name}-primary` });
  const canary = await TestBackend.start({ name: `${name}-canary` });
  const tap = await HeaderTap.start(
    canary.url,
    options.abCookie ? { cookie: options.abCookie } : { header: abHeader ?? 'x-canary' },
  );
  const sim = new SimulatedNginx({
    kube,
    namespace,
    ingress: name,
    primary,
    canary: { url: tap.url },
    exporter,
    rps: options.rps ?? 40,
    traffic: options.traffic,
    random: seededRandom(7),
    maxDurationMs: 240_000,
  });
  await sim.start();
  return {
    namespace,
    name,
    counts: async () => ({
      primary: sim.counters.primary,
      canary: sim.counters.canary,
      canaryUnmatched: tap.stats.unmatched,
    }),
    async routedAt(weight, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while ((sim.canaryRules?.weight ?? 0) !== weight) {
        if (Date.now() > deadline) throw new Error(`the data plane never routed by weight ${weight}`);
        await sleep(10);
      }
      return Date.now();
    },
    // The simulation's backends know nothing of the pod template: the test switches the error rate.
    async release(version, { errorRate = 0 } = {}) {
      canary.setErrorRate(errorRate);
      await setImage(kube, namespace, version);
    },
    errorsReachHooks: true,
    hooks: loadTesterHooks(loadTester.url, canary.url),
    async stop() {
      await sim.stop();
      await tap.close();
      await primary.close();
      await canary.close();
    },
  };
}

export async function simulationEnvironment(kubeconfig: string): Promise<E2EEnvironment> {
  const kube = createKube(kubeconfig);
  const exporter = new SimulatedNginxExporter();
  const target = await exporter.listen(0);
  let prometheus: PrometheusServer | undefined;
  let loadTester: LoadTester | undefined;
  try {
    prometheus = await startPrometheus({ scrapeTargets: [target] });
    loadTester = await startLoadTester();
  } catch (err) {
    await prometheus?.stop();
    await exporter.close();
    throw err;
  }
  const promStarted = Date.now();
  const prom = prometheus;
  const tester = loadTester;
  const apps: AppUnderTest[] = [];
  const operators: OperatorUnderTest[] = [];
  return {
    kind: 'simulation',
    kube,
    kubeconfig,
    prometheusUrl: prom.url,
    canaryRequestsQuery: nginxCanaryRequestsQuery,
    localReceiversReachable: true,
    loadTesterCalls: () => tester.calls,
    namespace: (prefix) => freshNamespace(kube, prefix),
    async deployApp(namespace, options = {}) {
      const app = await simulatedApp(kube, exporter, tester, namespace, options);
      apps.push(app);
      const warm = promStarted + PROMETHEUS_WARM_UP_MS - Date.now();
      if (warm > 0) await sleep(warm);
      return app;
    },
    async startOperator(namespace): Promise<OperatorUnderTest> {
      const op = await startLocalOperator(kubeconfig, namespace, prom.url);
      operators.push(op);
      return op;
    },
    async stop() {
      for (const op of operators) await op.stop();
      for (const app of apps) await app.stop();
      await tester.close();
      await prom.stop();
      await exporter.close();
    },
  };
}
