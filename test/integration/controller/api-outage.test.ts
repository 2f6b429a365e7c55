import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Canary } from '../../../src/api/types.ts';
import { startController, type RunningController } from '../../../src/controller/run.ts';
import { KubeConfig, type Kube } from '../../../src/kube/client.ts';
import { watchCache, type WatchCache } from '../../../src/kube/informer.ts';
import { listAllPages } from '../../../src/kube/paginate.ts';
import type { KubernetesObject, V1Ingress } from '../../../src/kube/types.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { canaryManifest, createCanary, createPodinfo, setImage } from '../fixtures.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';
import { startTcpProxy, type TcpProxy } from '../leader/proxy.ts';

const APPS = Array.from({ length: 10 }, (_, i) => `app-${i}`);
const OUTAGE_MS = 30_000;
/** The bound: every Canary reconciles within this long of the API server's return. */
const RESUME_WITHIN_MS = 5_000;
const WEIGHT = 'nginx.ingress.kubernetes.io/canary-weight';
/** The command line's default timings (--lease-duration 15s: renew deadline 2/3, retry period about 1/7). */
const LEASE_TIMING = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/** One change of a Canary's progress or of its canary Ingress's weight, stamped when the test saw it. */
interface Change {
  at: number;
  rv: bigint;
  what: 'status' | 'weight';
  phase?: string;
  weight?: number;
  lastStepTime?: string;
}

/**
 * Watches of the Canaries and canary Ingresses straight on the API server (not through the proxy): each
 * Canary's changes of phase, weight or lastStepTime and each canary Ingress's weights, with the time they
 * were seen. An event older than one already seen (a watch replaying after a restart) is skipped.
 */
function observe(kube: Kube, namespace: string) {
  const log = createLogger('silent');
  const changes = new Map<string, Change[]>(APPS.map((a) => [a, []]));
  const lastRv = new Map<string, bigint>();
  const note = (app: string, rv: string | undefined, change: Omit<Change, 'at' | 'rv'>) => {
    const list = changes.get(app);
    const version = BigInt(rv ?? '0');
    const key = `${change.what}/${app}`;
    if (!list || version <= (lastRv.get(key) ?? -1n)) return;
    lastRv.set(key, version);
    const last = list.findLast((c) => c.what === change.what);
    const same =
      last &&
      last.phase === change.phase &&
      last.weight === change.weight &&
      last.lastStepTime === change.lastStepTime;
    if (!same) list.push({ at: Date.now(), rv: version, ...change });
  };
  const canaries: WatchCache<Canary & KubernetesObject> = watchCache<Canary & KubernetesObject>(
    kube.kc,
    `/apis/kanaria.dev/v1beta1/namespaces/${namespace}/canaries`,
    () =>
      listAllPages(
        (page) =>
          kube.custom.listNamespacedCustomObject({
            group: 'kanaria.dev',
            version: 'v1beta1',
            plural: 'canaries',
            namespace,
            ...page,
          }) as never,
      ),
    (c, kind) => {
      if (kind !== 'delete')
        note(c.metadata.name, c.metadata.resourceVersion, {
          what: 'status',
          phase: c.status?.phase,
          weight: c.status?.canaryWeight,
          lastStepTime: c.status?.lastStepTime,
        });
    },
    log,
  );
  const ingresses = watchCache<V1Ingress>(
    kube.kc,
    `/apis/networking.k8s.io/v1/namespaces/${namespace}/ingresses`,
    () => listAllPages((page) => kube.networking.listNamespacedIngress({ namespace, ...page })),
    (ing, kind) => {
      const name = ing.metadata?.name ?? '';
      const weight = Number(ing.metadata?.annotations?.[WEIGHT]);
      if (kind !== 'delete' && name.endsWith('-canary') && Number.isFinite(weight))
        note(name.replace(/-canary$/, ''), ing.metadata?.resourceVersion, { what: 'weight', weight });
    },
    log,
  );
  return {
    changes,
    weights: (app: string) => changes.get(app)!.flatMap((c) => (c.what === 'weight' ? [c.weight] : [])),
    phase: (app: string) => canaries.get(app, namespace)?.status?.phase,
    weight: (app: string) => canaries.get(app, namespace)?.status?.canaryWeight ?? 0,
    synced: Promise.all([canaries.synced, ingresses.synced]),
    stop: () => Promise.all([canaries.stop(), ingresses.stop()]),
  };
}

/** A Canary's changes as lines with times relative to `t0`, for a failure message. */
const timeline = (changes: Change[], t0: number) =>
  changes
    .map((c) =>
      c.what === 'weight'
        ? `${c.at - t0}ms rv=${c.rv} ingress weight ${c.weight}`
        : `${c.at - t0}ms rv=${c.rv} status ${c.phase} ${c.weight} step=${c.lastStepTime}`,
    )
    .join('\n');

/** The test cluster's kubeconfig with its server replaced by the proxy's address, as a file. */
async function kubeconfigVia(proxy: TcpProxy, dir: string): Promise<string> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  kc.loadFromOptions({
    clusters: kc.clusters.map((c) => ({ ...c, server: proxy.url })),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  const path = join(dir, 'kubeconfig');
  await writeFile(path, kc.exportConfig());
  return path;
}

describe('an API server outage in the middle of ten releases', () => {
  let kube: Kube;
  let proxy: TcpProxy;
  let dir: string;
  let kubeconfig: string;
  const namespaces: { cleanup: () => Promise<void> }[] = [];

  beforeAll(async () => {
    kube = testKube();
    proxy = await startTcpProxy(new URL(kube.kc.getCurrentCluster()!.server));
    dir = await mkdtemp(join(tmpdir(), 'kanaria-outage-'));
    kubeconfig = await kubeconfigVia(proxy, dir);
  });
  afterAll(async () => {
    proxy?.heal();
    await proxy?.close();
    for (const ns of namespaces) await ns.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each([
    { mode: 'a single operator', leaderElection: false },
    // The outage outlasts the renew deadline: the operator stops leading during it and starts a new manager
    // when it renews the Lease again.
    { mode: 'an operator with leader election', leaderElection: true },
  ])(
    `$mode: every Canary resumes within ${RESUME_WITHIN_MS / 1000}s of the API server's return and all ten succeed`,
    async ({ leaderElection }) => {
      const ns = await freshNamespace(kube, 'outage');
      namespaces.push(ns);
      const namespace = ns.name;
      const logLines: { msg: string }[] = [];
      const controller: RunningController = await startController({
        kubeconfig,
        namespace,
        log: createLogger('info', { write: (line: string) => void logLines.push(JSON.parse(line)) }),
        leaderElection: leaderElection ? { namespace, name: 'kanaria-leader', ...LEASE_TIMING } : undefined,
      });
      const seen = observe(kube, namespace);
      const count = (prefix: string) => logLines.filter((l) => l.msg.startsWith(prefix)).length;
      try {
        for (const app of APPS) {
          await createPodinfo(kube, namespace, { name: app, replicas: 1 });
          await createCanary(
            kube,
            canaryManifest(namespace, { interval: '2s', stepWeight: 10, maxWeight: 50 }, app),
          );
        }
        await seen.synced;
        await waitFor(
          'ten Canaries Initialized',
          async () => APPS.every((a) => seen.phase(a) === 'Initialized'),
          90_000,
        );
        for (const app of APPS) await setImage(kube, namespace, '6.0.1', app);
        // Mid-release: every Canary takes traffic and has steps left.
        await waitFor(
          'ten Canaries Progressing with traffic',
          async () => APPS.every((a) => seen.phase(a) === 'Progressing' && seen.weight(a) >= 10),
          60_000,
          50,
        );
        const atCut = new Map(APPS.map((a) => [a, seen.weight(a)]));

        proxy.refuse();
        const cutAt = Date.now();
        await sleep(OUTAGE_MS);
        proxy.heal();
        const healedAt = Date.now();

        await waitFor(
          'ten Canaries Succeeded',
          async () => APPS.every((a) => seen.phase(a) === 'Succeeded'),
          120_000,
        );

        const rows = APPS.map((app) => {
          const statuses = seen.changes.get(app)!.filter((c) => c.what === 'status');
          // A write already on its way when the connections were cut may still land just after.
          const during = statuses.filter((c) => c.at > cutAt + 1_000 && c.at <= healedAt);
          const next = statuses.find((c) => c.at > healedAt);
          return {
            canary: app,
            weightAtCut: atCut.get(app),
            changesDuringOutage: during.length,
            nextStatus: next ? `${next.phase} ${next.weight}` : '-',
            resumeMs: next ? next.at - healedAt : Infinity,
            ingressWeights: seen.weights(app).join(' '),
          };
        });
        const leadership = leaderElection
          ? `, leadership lost ${count('not the leader any more')} and won ${count('became the leader')} times`
          : '';
        console.log(
          `API server unreachable for ${OUTAGE_MS / 1000}s: ${count('reconcile failed')} failed reconciles, ` +
            `${count('API server answers again')} resumption(s) by a reconnected watch${leadership}. ` +
            `Time from its return to each Canary's next status change:`,
        );
        console.table(rows);
        for (const r of rows) {
          const why = `${r.canary}\n${timeline(seen.changes.get(r.canary)!, healedAt)}`;
          expect(r.changesDuringOutage, why).toBe(0);
          expect(r.resumeMs, why).toBeLessThanOrEqual(RESUME_WITHIN_MS);
          expect(seen.weights(r.canary), why).toEqual([0, 10, 20, 30, 40, 50, 0]);
        }
      } finally {
        proxy.heal();
        await seen.stop();
        await controller.stop();
      }
    },
    300_000,
  );
});
