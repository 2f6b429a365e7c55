/**
 * A real Traefik (built from its Go module by hack/build-binaries.sh) with its ingress-nginx provider:
 * it reads Ingresses of the ingress class served by `k8s.io/ingress-nginx` (and their canary
 * annotations) from the API server out of cluster through KUBECONFIG, and applies a change about 0.1 s
 * after it is written. Its web, metrics and API entry points listen on 127.0.0.1. With `gatewayApi` it
 * also serves Gateway API routes (see gateway.ts).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { access, constants, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../devcluster/ports.ts';
import { searchDirs } from '../devcluster/binaries.ts';

/** The traefik binary hack/build-binaries.sh builds (or one on KUBEBUILDER_ASSETS or PATH), if any. */
export async function findTraefik(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  for (const dir of searchDirs(env)) {
    const candidate = join(dir, 'traefik');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

export const TRAEFIK_MISSING =
  'no traefik binary in $KUBEBUILDER_ASSETS, the build cache or $PATH: ' +
  'build it with `bash hack/build-binaries.sh traefik` (about 7 minutes the first time)';

export interface TraefikOptions {
  /** Default: findTraefik(). */
  binary?: string;
  kubeconfig: string;
  /** Watch only this namespace; all namespaces when unset. */
  namespace?: string;
  /** How long Traefik waits for more changes before applying them; default 100ms (Traefik's own: 2s). */
  throttle?: string;
  /**
   * Also run the Gateway API provider: it serves Gateways of GatewayClasses with controllerName
   * `traefik.io/gateway-controller` and writes their and their routes' status. A Gateway listener is
   * served by the entry point with the same port, so listeners use `webPort`.
   */
  gatewayApi?: boolean;
  /**
   * Retry a request this many times more when it cannot reach a backend (connection errors only, never
   * after an answer), on every router of the web entry point. Traefik's ingress-nginx provider already
   * does this on its own routers (its reading of proxy-next-upstream); its Gateway provider does not, and
   * the Gateway API standard channel has no retry field. Tests set it for the Gateway path because KWOK
   * reports a simulated pod Ready before its process listens (no readiness probe runs), which a real
   * kubelet's readiness probe would not.
   */
  retryAttempts?: number;
  startTimeoutMs?: number;
}

export interface Traefik {
  /** The web entry point, e.g. http://127.0.0.1:40123 */
  url: string;
  /** The web entry point's port: a Gateway listener on this port is served by it. */
  webPort: number;
  /** Its Prometheus metrics, e.g. http://127.0.0.1:40124/metrics */
  metricsUrl: string;
  /** `host:port` of the metrics entry point, for a Prometheus scrape target. */
  metricsTarget: string;
  /** Its JSON API (routers and services as it runs them), e.g. http://127.0.0.1:40125/api */
  apiUrl: string;
  logTail(lines?: number): Promise<string>;
  /** Stops it and removes its log. */
  stop(): Promise<void>;
}

function gatewayProviderArgs(namespace: string | undefined): string[] {
  return [
    '--providers.kubernetesGateway=true',
    // Without a status address the provider loads no configuration at all.
    '--providers.kubernetesGateway.statusAddress.ip=127.0.0.1',
    ...(namespace ? [`--providers.kubernetesGateway.namespaces=${namespace}`] : []),
  ];
}

export async function startTraefik(options: TraefikOptions): Promise<Traefik> {
  const binary = options.binary ?? (await findTraefik());
  if (!binary) throw new Error(TRAEFIK_MISSING);
  const [webPort, metricsPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const dir = await mkdtemp(join(tmpdir(), 'kanaria-traefik-'));
  const logPath = join(dir, 'traefik.log');
  const retryArgs: string[] = [];
  if (options.retryAttempts) {
    const dynamic = join(dir, 'dynamic.yaml');
    // attempts counts the first one too.
    await writeFile(
      dynamic,
      // Backing off (100 ms, doubling) lets an attempt land after the endpoints of a replaced pod moved.
      `http:\n  middlewares:\n    retry-connect:\n      retry:\n        attempts: ${options.retryAttempts + 1}\n        initialInterval: 100ms\n`,
    );
    retryArgs.push(
      `--providers.file.filename=${dynamic}`,
      '--entryPoints.web.http.middlewares=retry-connect@file',
    );
  }
  const fd = openSync(logPath, 'a');
  const child = spawn(
    binary,
    [
      '--global.checkNewVersion=false',
      '--global.sendAnonymousUsage=false',
      // The web UI's assets are not in the Go module; the JSON API works without them.
      '--api=true',
      '--api.insecure=true',
      '--api.dashboard=false',
      `--entryPoints.traefik.address=127.0.0.1:${apiPort}`,
      '--log.level=INFO',
      `--entryPoints.web.address=127.0.0.1:${webPort}`,
      '--entryPoints.web.transport.lifeCycle.graceTimeOut=0s',
      `--entryPoints.metrics.address=127.0.0.1:${metricsPort}`,
      '--metrics.prometheus=true',
      '--metrics.prometheus.entryPoint=metrics',
      '--metrics.prometheus.addServicesLabels=true',
      `--providers.providersThrottleDuration=${options.throttle ?? '100ms'}`,
      '--providers.kubernetesIngressNGINX=true',
      ...(options.namespace
        ? [`--providers.kubernetesIngressNGINX.watchNamespace=${options.namespace}`]
        : []),
      ...(options.gatewayApi ? gatewayProviderArgs(options.namespace) : []),
      ...retryArgs,
    ],
    { env: { ...process.env, KUBECONFIG: options.kubeconfig }, stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Never outlive the process that started it, even when it ends without stop().
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const logTail = async (lines = 20) =>
    (await readFile(logPath, 'utf8').catch(() => '')).trimEnd().split('\n').slice(-lines).join('\n');
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timeout = sleep(5_000).then(() => child.kill('SIGKILL'));
      await Promise.race([exited, timeout]);
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) {
      const tail = await logTail();
      await stop();
      throw new Error(`traefik exited during start-up:\n${tail}`);
    }
    if (
      await fetch(metricsUrl).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) {
      const tail = await logTail();
      await stop();
      throw new Error(`traefik not serving its metrics after 30 s:\n${tail}`);
    }
    await sleep(100);
  }
  return {
    url: `http://127.0.0.1:${webPort}`,
    webPort,
    metricsUrl,
    metricsTarget: `127.0.0.1:${metricsPort}`,
    apiUrl: `http://127.0.0.1:${apiPort}/api`,
    logTail,
    stop,
  };
}
