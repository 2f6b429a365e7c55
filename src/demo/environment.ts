/**
 * Everything `kanaria demo` runs, started in order and registered for clean-up: the local control
 * plane, the CRDs, two test backends behind the SIMULATED ingress-nginx data plane, the real Prometheus
 * scraping the simulation's `nginx_ingress_controller_*` series, Kanaria's load tester, the example
 * app with its Canary, and the operator.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Canary } from '../api/types.ts';
import { installCrds, startController, type RunningController } from '../controller/run.ts';
import { TestBackend } from '../dataplane/backend.ts';
import { SimulatedNginx } from '../dataplane/dataplane.ts';
import { SimulatedNginxExporter } from '../dataplane/exporter.ts';
import { cacheRoot, ensureBinaries } from '../devcluster/binaries.ts';
import { clusterPorts, down, up, type ClusterState } from '../devcluster/cluster.ts';
import { findPrometheus, startPrometheus, type PrometheusServer } from '../devcluster/prometheus.ts';
import { createKube, type Kube } from '../kube/client.ts';
import { createLogger } from '../observability/logger.ts';
import { applyObjects, createNamespace, podinfoCanary, podinfoObjects } from './app.ts';
import { startLoadTester, type LoadTester } from './loadtester.ts';
import type { Resources } from './resources.ts';

export const DEMO_CLUSTER = 'demo';
export const DEMO_BASE_PORT = 16540;
export const DEMO_NAMESPACE = 'test';
export const DEMO_RPS = 40;

export class DemoError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DemoError';
  }
}

export interface DemoEnvironmentOptions {
  resources: Resources;
  env: NodeJS.ProcessEnv;
  basePort: number;
  /** How long the simulated traffic may run at most. */
  maxTrafficMs: number;
  say: (line: string) => void;
  signal: AbortSignal;
}

export interface DemoEnvironment {
  cluster: ClusterState;
  kube: Kube;
  prometheus: PrometheusServer;
  primary: TestBackend;
  canary: TestBackend;
  sim: SimulatedNginx;
  loadTester: LoadTester;
  controller: RunningController;
  operatorLog: string;
  canaryResource: Canary;
}

function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new DemoError('interrupted');
}

/** The demo's Canary: the walkthrough's, with 2s steps, 3 failed checks and the local load tester. */
export async function demoCanary(namespace: string, loadTester: string, canaryUrl: string): Promise<Canary> {
  return podinfoCanary(namespace, {
    interval: '2s',
    threshold: 3,
    metrics: [
      { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '10s' },
      { name: 'request-duration', thresholdRange: { max: 1000 }, interval: '10s' },
    ],
    webhooks: [
      {
        name: 'acceptance-test',
        type: 'pre-rollout',
        url: `${loadTester}/`,
        timeout: '10s',
        metadata: {
          type: 'request',
          method: 'POST',
          body: 'test',
          url: `${canaryUrl}/token`,
          contains: 'token',
        },
      },
      {
        name: 'load-test',
        type: 'rollout',
        url: `${loadTester}/`,
        timeout: '5s',
        metadata: { type: 'load', url: `${canaryUrl}/`, rps: '10', duration: '1s' },
      },
    ],
  });
}

export async function startDemoEnvironment(o: DemoEnvironmentOptions): Promise<DemoEnvironment> {
  const { resources, env, say, signal } = o;
  if (!(await findPrometheus(env))) {
    say('building Prometheus from its Go module into the binary cache (first run only, about 7 min)');
    try {
      await ensureBinaries(['prometheus'], env, (line) => say(`  ${line.trimEnd()}`));
    } catch (err) {
      throw new DemoError(
        `the demo measures the canary with a real Prometheus server, and building it failed: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  const ports = clusterPorts(o.basePort);
  say(
    `starting the local control plane "${DEMO_CLUSTER}" on 127.0.0.1:${ports.etcdClient}-${ports.kwok} ` +
      '(etcd, kube-apiserver, controller-manager, scheduler, KWOK; the first run builds them, ~10 min)',
  );
  // Registered first so that Ctrl-C during start-up stops whatever had started.
  resources.add(`control plane ${DEMO_CLUSTER}`, () => down(DEMO_CLUSTER, env));
  for (const port of Object.values(ports)) resources.ports.add(port);
  let cluster: ClusterState;
  try {
    cluster = await up({ name: DEMO_CLUSTER, basePort: o.basePort, env, log: (l) => say(`  ${l}`) });
  } catch (err) {
    if ((err as { code?: string }).code === 'EALREADY')
      throw new DemoError(
        `${(err as Error).message.replace('kanaria dev cluster down', `kanaria dev cluster down --name ${DEMO_CLUSTER}`)}`,
        { cause: err },
      );
    throw err;
  }
  checkAborted(signal);
  const kube = createKube(cluster.kubeconfig);
  await installCrds(kube);
  say('CRDs installed (canaries, metrictemplates, alertproviders.kanaria.dev)');

  const primary = await TestBackend.start({ name: 'podinfo-primary' });
  resources.add('primary test backend', () => primary.close());
  const canary = await TestBackend.start({ name: 'podinfo-canary' });
  resources.add('canary test backend', () => canary.close());
  const exporter = new SimulatedNginxExporter();
  await exporter.listen(0);
  resources.add('simulated ingress-nginx /metrics', () => exporter.close());
  const prometheus = await startPrometheus({ scrapeTargets: [exporter.target!], env });
  resources.add('prometheus', () => prometheus.stop());
  const loadTester = await startLoadTester();
  resources.add('load tester', () => loadTester.close());
  for (const port of [primary.port, canary.port, prometheus.port, loadTester.port]) resources.ports.add(port);
  resources.ports.add(Number(exporter.target!.split(':')[1]));
  say(
    `test backends ${primary.url} (primary) and ${canary.url} (canary), Prometheus ${prometheus.url} ` +
      `scraping the simulated ingress-nginx at ${exporter.target} every 1s, load tester ${loadTester.url}`,
  );
  checkAborted(signal);

  await createNamespace(kube, DEMO_NAMESPACE);
  await applyObjects(kube, await podinfoObjects({ namespace: DEMO_NAMESPACE }));
  const canaryResource = await demoCanary(DEMO_NAMESPACE, loadTester.url, canary.url);
  await applyObjects(kube, [canaryResource as never]);
  say(
    `applied examples/podinfo to namespace ${DEMO_NAMESPACE}: ConfigMap podinfo-config, Deployment podinfo ` +
      `(6.0.0), Ingress podinfo and Canary podinfo (step 10% every 2s up to 50%, success rate >= 99%, ` +
      `latency <= 1000ms, 3 failed checks roll back)`,
  );

  const dir = join(cacheRoot(env), 'demo');
  await mkdir(dir, { recursive: true });
  const operatorLog = join(dir, 'operator.log');
  const logStream = createWriteStream(operatorLog, { flags: 'w' });
  const controller = await startController({
    kubeconfig: cluster.kubeconfig,
    namespace: DEMO_NAMESPACE,
    metricsServer: prometheus.url,
    log: createLogger('info', logStream),
  });
  resources.add('operator', async () => {
    await controller.stop();
    await new Promise<void>((resolve) => logStream.end(() => resolve()));
  });
  say(`operator started (watching namespace ${DEMO_NAMESPACE}; its log: ${operatorLog})`);

  const sim = new SimulatedNginx({
    kube,
    namespace: DEMO_NAMESPACE,
    ingress: 'podinfo',
    primary,
    canary,
    exporter,
    rps: DEMO_RPS,
    maxDurationMs: o.maxTrafficMs,
  });
  await sim.start();
  resources.add('simulated traffic', () => sim.stop());
  say(
    `simulated ingress-nginx: ${DEMO_RPS} requests/s to app.example.com, split by the podinfo-canary Ingress`,
  );
  checkAborted(signal);

  return {
    cluster,
    kube,
    prometheus,
    primary,
    canary,
    sim,
    loadTester,
    controller,
    operatorLog,
    canaryResource,
  };
}
