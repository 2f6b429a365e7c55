import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { access, constants, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { searchDirs } from '../../src/devcluster/binaries.ts';

/** The traefik binary hack/build-binaries.sh builds (or one on KUBEBUILDER_ASSETS or PATH), if any. */
export async function findTraefik(): Promise<string | undefined> {
  for (const dir of searchDirs()) {
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

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Traefik {
  /** The web entry point, e.g. http://127.0.0.1:40123 */
  url: string;
  /** Its Prometheus metrics, e.g. http://127.0.0.1:40124/metrics */
  metricsUrl: string;
  logTail(lines?: number): Promise<string>;
  /** Stops it and removes its log. */
  stop(): Promise<void>;
}

/**
 * Traefik with its ingress-nginx provider (out of cluster through KUBECONFIG), watching one namespace,
 * with changes applied 0.1 s after they are written; its web and metrics entry points on 127.0.0.1.
 */
export async function startTraefik(binary: string, kubeconfig: string, namespace: string): Promise<Traefik> {
  const webPort = await freePort();
  const metricsPort = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'kanaria-traefik-'));
  const logPath = join(dir, 'traefik.log');
  const fd = openSync(logPath, 'a');
  const child = spawn(
    binary,
    [
      '--global.checkNewVersion=false',
      '--global.sendAnonymousUsage=false',
      '--api.dashboard=false',
      '--log.level=INFO',
      `--entryPoints.web.address=127.0.0.1:${webPort}`,
      '--entryPoints.web.transport.lifeCycle.graceTimeOut=0s',
      `--entryPoints.metrics.address=127.0.0.1:${metricsPort}`,
      '--metrics.prometheus=true',
      '--metrics.prometheus.entryPoint=metrics',
      '--metrics.prometheus.addServicesLabels=true',
      '--providers.providersThrottleDuration=100ms',
      '--providers.kubernetesIngressNGINX=true',
      `--providers.kubernetesIngressNGINX.watchNamespace=${namespace}`,
    ],
    { env: { ...process.env, KUBECONFIG: kubeconfig }, stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const logTail = async (lines = 20) =>
    (await readFile(logPath, 'utf8').catch(() => '')).trimEnd().split('\n').slice(-lines).join('\n');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timeout = sleep(5_000).then(() => child.kill('SIGKILL'));
      await Promise.race([exited, timeout]);
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const deadline = Date.now() + 30_000;
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
  return { url: `http://127.0.0.1:${webPort}`, metricsUrl, logTail, stop };
}
