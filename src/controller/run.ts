import { hostname } from 'node:os';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKube, type Kube } from '../kube/client.ts';
import { loadManifests } from '../kube/manifests.ts';
import { KubeWriter } from '../kube/writer.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { DEFAULT_ANNOTATION_PREFIX } from '../router/nginx.ts';
import type { DefaultAlertProvider } from './alerts.ts';
import { Manager } from './manager.ts';
import type { AlertSink, AnalysisChecker } from './reconciler.ts';

export const DEFAULT_SELECTOR_LABELS = ['app', 'name', 'app.kubernetes.io/name'];

export interface ControllerOptions {
  kubeconfig?: string;
  namespace?: string;
  selectorLabels?: string[];
  ingressAnnotationPrefix?: string;
  logLevel?: string;
  log?: Logger;
  workers?: number;
  metricsServer?: string;
  clusterName?: string;
  defaultAlertProvider?: DefaultAlertProvider;
  clock?: () => number;
  analysisChecks?: AnalysisChecker;
  alert?: AlertSink;
  onRequest?: (verb: string) => void;
  onReconcile?: (seconds: number, outcome: 'ok' | 'error') => void;
}

export interface RunningController {
  kube: Kube;
  manager: Manager;
  log: Logger;
  stop(): Promise<void>;
}

export async function startController(options: ControllerOptions = {}): Promise<RunningController> {
  const log = options.log ?? createLogger(options.logLevel ?? 'info');
  const kube = createKube(options.kubeconfig);
  const clock = options.clock ?? Date.now;
  const writer = new KubeWriter(kube, `${hostname()}-${process.pid}`, options.onRequest);
  const manager = new Manager({
    kube,
    writer,
    log,
    clock,
    namespace: options.namespace,
    workers: options.workers,
    metricsServer: options.metricsServer,
    clusterName: options.clusterName,
    defaultAlertProvider: options.defaultAlertProvider,
    selectorLabels: options.selectorLabels ?? DEFAULT_SELECTOR_LABELS,
    ingressAnnotationPrefix: options.ingressAnnotationPrefix ?? DEFAULT_ANNOTATION_PREFIX,
    analysisChecks: options.analysisChecks,
    alert: options.alert,
    onReconcile: options.onReconcile,
  });
  await manager.start();
  return { kube, manager, log, stop: () => manager.stop() };
}

export const CRD_DIR = resolve(fileURLToPath(import.meta.url), '../../../charts/kanaria/crds');

/** Applies the CRD manifests (server-side apply) and waits until they are established. */
export async function installCrds(kube: Kube, dir = CRD_DIR): Promise<void> {
  const writer = new KubeWriter(kube, 'installer');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
  const names: string[] = [];
  for (const f of files) {
    for (const obj of loadManifests(await readFile(join(dir, f), 'utf8'))) {
      await writer.apply(obj);
      names.push(obj.metadata!.name!);
    }
  }
  const deadline = Date.now() + 30_000;
  for (const name of names) {
    for (;;) {
      const crd = (await kube.objects.read({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name },
      })) as { status?: { conditions?: { type: string; status: string }[] } };
      if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} not established after 30s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
