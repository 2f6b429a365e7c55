/**
 * Everything `kanaria demo` runs, started in order and registered for clean-up: the binaries (built into
 * the cache when missing), the local control plane, the CRDs, the data plane (a real Traefik in front of
 * the pod runner's processes, ./traefik-plane.ts, or the SIMULATED ingress-nginx, ./simulated-plane.ts)
 * with the real Prometheus and Kanaria's load tester, the example app with its Canary, the operator, and
 * the user traffic.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Canary } from '../api/types.ts';
import { installCrds } from '../controller/install-crds.ts';
import { startController } from '../controller/run.ts';
import { cacheRoot, COMPONENTS, ensureBinaries, findBinary, type Tool } from '../devcluster/binaries.ts';
import { clusterPorts, down, up, type ClusterState } from '../devcluster/cluster.ts';
import { ensureGatewayApiCrds } from '../devcluster/gateway-api.ts';
import { NETNS_POD_CIDR } from '../devcluster/pod-cidr.ts';
import { createKube, type Kube } from '../kube/client.ts';
import { createLogger } from '../observability/logger.ts';
import { applyObjects, createNamespace, podinfoCanary, podinfoObjects } from './app.ts';
import type { DataPlaneKind, DemoDataPlane, PlaneContext } from './data-plane.ts';
import type { Resources } from './resources.ts';
import { startSimulatedPlane } from './simulated-plane.ts';
import { startTraefikPlane } from './traefik-plane.ts';

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
  dataPlane: DataPlaneKind;
  resources: Resources;
  env: NodeJS.ProcessEnv;
  basePort: number;
  /** How long the user traffic may run at most. */
  maxTrafficMs: number;
  say: (line: string) => void;
  signal: AbortSignal;
}

export interface DemoEnvironment {
  cluster: ClusterState;
  kube: Kube;
  plane: DemoDataPlane;
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

const BUILD_MINUTES: Partial<Record<Tool, string>> = { prometheus: '~7', traefik: '~7' };

/** The binaries the demo runs on a data plane. */
export function demoTools(kind: DataPlaneKind): Tool[] {
  return kind === 'traefik' ? [...COMPONENTS, 'prometheus', 'traefik'] : [...COMPONENTS, 'prometheus'];
}

/**
 * Everything the demo fetches or builds before it starts: its binaries and the Gateway API CRDs. The demo
 * on a real proxy calls it before it enters its network namespace, which has no network for Go to reach
 * the module proxy from.
 */
export async function prepareDemo(
  kind: DataPlaneKind,
  o: Pick<DemoEnvironmentOptions, 'env' | 'say'>,
): Promise<Record<Tool, string>> {
  const bins = await demoBinaries(demoTools(kind), o);
  try {
    await ensureGatewayApiCrds(o.env, o.say);
  } catch (err) {
    throw new DemoError(`fetching the Gateway API CRDs failed: ${(err as Error).message}`, { cause: err });
  }
  return bins;
}

/** Every binary the demo runs, building the missing ones into the cache in one go (with progress lines). */
async function demoBinaries<T extends Tool>(
  names: readonly T[],
  o: Pick<DemoEnvironmentOptions, 'env' | 'say'>,
) {
  const missing: T[] = [];
  for (const name of names) if (!(await findBinary(name, o.env))) missing.push(name);
  if (missing.length) {
    const controlPlane = missing.filter((n) => (COMPONENTS as readonly string[]).includes(n));
    const parts = [
      ...(controlPlane.length ? [`the control plane (${controlPlane.join(', ')}; ~10 min)`] : []),
      ...missing.filter((n) => BUILD_MINUTES[n]).map((n) => `${n} (${BUILD_MINUTES[n]} min)`),
    ];
    o.say(
      `first run: building ${parts.join(', ')} from their Go modules into the binary cache (2 cores, cold)`,
    );
  }
  try {
    return await ensureBinaries(names, o.env, (chunk) => {
      for (const line of chunk.split('\n')) if (line.trim()) o.say(`  ${line.trimEnd()}`);
    });
  } catch (err) {
    throw new DemoError(`building the demo's binaries failed: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * On the pod network the cluster's state (with process ids of the namespace) lives in the namespace's
 * private TMPDIR, which goes with it, so it never meets a cluster of the host's network namespace.
 */
async function podNetworkEnv(bins: Record<string, string>, env: NodeJS.ProcessEnv) {
  const root = await mkdtemp(join(tmpdir(), 'kanaria-demo-'));
  const binDir = join(root, 'bin');
  await mkdir(binDir);
  for (const [bin, path] of Object.entries(bins)) await symlink(path, join(binDir, bin));
  return { ...env, KANARIA_CACHE_DIR: root, KUBEBUILDER_ASSETS: binDir };
}

async function startControlPlane(o: DemoEnvironmentOptions, clusterEnv: NodeJS.ProcessEnv) {
  const ports = clusterPorts(o.basePort);
  const onPods = o.dataPlane === 'traefik';
  o.say(
    `starting the local control plane "${DEMO_CLUSTER}" on 127.0.0.1:${ports.etcdClient}-${ports.kwok} ` +
      '(etcd, kube-apiserver, controller-manager, scheduler, KWOK' +
      (onPods ? `; pod IPs from ${NETNS_POD_CIDR}, local in this network namespace)` : ')'),
  );
  // Registered first so that Ctrl-C during start-up stops whatever had started.
  o.resources.add(`control plane ${DEMO_CLUSTER}`, () => down(DEMO_CLUSTER, clusterEnv));
  for (const port of Object.values(ports)) o.resources.ports.add(port);
  try {
    return await up({
      name: DEMO_CLUSTER,
      basePort: o.basePort,
      env: clusterEnv,
      // From the usual cache: the pod network's environment has a temporary one.
      gatewayApiCrdDir: await ensureGatewayApiCrds(o.env),
      log: (l) => o.say(`  ${l}`),
      ...(onPods ? { podCIDR: NETNS_POD_CIDR } : {}),
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'EALREADY')
      throw new DemoError(
        `${(err as Error).message.replace('kanaria dev cluster down', `kanaria dev cluster down --name ${DEMO_CLUSTER}`)}`,
        { cause: err },
      );
    throw err;
  }
}

export async function startDemoEnvironment(o: DemoEnvironmentOptions): Promise<DemoEnvironment> {
  const { resources, env, say, signal } = o;
  const onPods = o.dataPlane === 'traefik';
  const bins = await prepareDemo(o.dataPlane, o);
  checkAborted(signal);
  const cluster = await startControlPlane(o, onPods ? await podNetworkEnv(bins, env) : env);
  checkAborted(signal);
  const kube = createKube(cluster.kubeconfig);
  await installCrds(kube);
  say('CRDs installed (canaries, metrictemplates, alertproviders.kanaria.dev)');

  const logDir = join(cacheRoot(env), 'demo');
  await mkdir(logDir, { recursive: true });
  const context: PlaneContext = {
    kube,
    kubeconfig: cluster.kubeconfig,
    namespace: DEMO_NAMESPACE,
    resources,
    env,
    rps: DEMO_RPS,
    maxTrafficMs: o.maxTrafficMs,
    logDir,
    say,
  };
  const bin = bins as Record<string, string>;
  const plane = onPods ? await startTraefikPlane(context, bin.traefik) : await startSimulatedPlane(context);
  checkAborted(signal);

  await createNamespace(kube, DEMO_NAMESPACE);
  await applyObjects(
    kube,
    await podinfoObjects({ namespace: DEMO_NAMESPACE, minReadySeconds: plane.minReadySeconds }),
  );
  const canaryResource = await demoCanary(DEMO_NAMESPACE, plane.loadTesterUrl, plane.canaryUrl);
  canaryResource.spec = { ...canaryResource.spec, ...plane.canarySpec };
  await applyObjects(kube, [canaryResource as never]);
  say(
    `applied examples/podinfo to namespace ${DEMO_NAMESPACE}: ConfigMap podinfo-config, Deployment podinfo ` +
      `(6.0.0, 2 replicas), Ingress podinfo and Canary podinfo (step 10% every 2s up to 50%, success rate ` +
      `>= 99%, latency <= 1000ms, 3 failed checks roll back${onPods ? ', ingressController traefik' : ''})`,
  );

  const operatorLog = join(logDir, 'operator.log');
  const logStream = createWriteStream(operatorLog, { flags: 'w' });
  const controller = await startController({
    kubeconfig: cluster.kubeconfig,
    namespace: DEMO_NAMESPACE,
    metricsServer: plane.prometheusUrl,
    log: createLogger('info', logStream),
  });
  resources.add('operator', async () => {
    await controller.stop();
    await new Promise<void>((resolve) => logStream.end(() => resolve()));
  });
  say(`operator started (watching namespace ${DEMO_NAMESPACE}; its log: ${operatorLog})`);

  say(await plane.startTraffic());
  checkAborted(signal);
  return { cluster, kube, plane, operatorLog, canaryResource };
}
