import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manager } from '../../../src/controller/manager.ts';
import { startController, type RunningController } from '../../../src/controller/run.ts';
import { fromKubeConfig, KubeConfig, type Kube } from '../../../src/kube/client.ts';
import { watchCache } from '../../../src/kube/informer.ts';
import { listAllPages, type ListPage, type PageRequest } from '../../../src/kube/paginate.ts';
import type { V1ConfigMap } from '../../../src/kube/types.ts';
import { KubeWriter } from '../../../src/kube/writer.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';
import { startTcpProxy, type TcpProxy } from '../leader/proxy.ts';
import { freePort } from '../operator/process.ts';

/** Log lines as parsed objects, for assertions on what the caches report. */
function capturingLogger() {
  const lines: { level: number; msg: string; path?: string; retryInMs?: number }[] = [];
  const log = createLogger('warn', { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

/** The test cluster's kubeconfig with its server replaced by the proxy's address. */
function viaProxy(proxy: TcpProxy): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  kc.loadFromOptions({
    clusters: kc.clusters.map((c) => ({ ...c, server: proxy.url })),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return kc;
}

/** Resolves true when `p` settles within `ms`, false otherwise. */
const settlesWithin = (p: Promise<unknown>, ms: number) =>
  Promise.race([p.then(() => true), sleep(ms).then(() => false)]);

const configMap = (name: string, labels: Record<string, string> = {}): V1ConfigMap => ({
  metadata: { name, labels },
  data: { key: name },
});

describe('watch caches: synced only after a successful LIST, paginated, without managedFields', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let proxy: TcpProxy;
  let proxied: Kube;

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'caches');
    proxy = await startTcpProxy(new URL(kube.kc.getCurrentCluster()!.server));
    proxied = fromKubeConfig(viaProxy(proxy));
  });
  afterAll(async () => {
    await proxy?.close();
    await ns?.cleanup();
  });

  it('is not synced while its LISTs are refused, then holds the listed objects once one succeeds', async () => {
    const namespace = ns.name;
    const selector = { labelSelector: 'test=refused-first' };
    for (const name of ['a', 'b', 'c'])
      await kube.core.createNamespacedConfigMap({
        namespace,
        body: configMap(`refused-${name}`, { test: 'refused-first' }),
      });
    const stored = await kube.core.readNamespacedConfigMap({ name: 'refused-a', namespace });
    expect(stored.metadata?.managedFields?.length).toBeGreaterThan(0);

    proxy.refuse();
    const { log, lines } = capturingLogger();
    let lists = 0;
    const cache = watchCache<V1ConfigMap>(
      proxied.kc,
      `/api/v1/namespaces/${namespace}/configmaps`,
      () => {
        lists++;
        return listAllPages((page) =>
          proxied.core.listNamespacedConfigMap({ namespace, ...selector, ...page }),
        );
      },
      () => undefined,
      log,
    );
    try {
      await waitFor('three refused LISTs', async () => lists >= 3, 20_000, 20);
      expect(await settlesWithin(cache.synced, 100)).toBe(false);
      expect(cache.isSynced()).toBe(false);
      expect(cache.list()).toEqual([]);
      const failures = lines.filter((l) => l.msg === 'list failed; the cache is not synced yet');
      expect(failures.length).toBeGreaterThanOrEqual(2);

      proxy.heal();
      expect(await settlesWithin(cache.synced, 30_000)).toBe(true);
      expect(cache.isSynced()).toBe(true);
      const names = cache.list(namespace).map((o) => o.metadata?.name);
      expect(names.sort()).toEqual(['refused-a', 'refused-b', 'refused-c']);
      expect(cache.list().every((o) => o.metadata?.managedFields === undefined)).toBe(true);

      // An object that arrives by a watch event is stripped too.
      await kube.core.createNamespacedConfigMap({
        namespace,
        body: configMap('refused-d', { test: 'refused-first' }),
      });
      const arrived = await waitFor('refused-d in the cache', async () => cache.get('refused-d', namespace));
      expect(arrived.metadata?.managedFields).toBeUndefined();
      expect(arrived.metadata?.resourceVersion).toBeTruthy();

      // Once synced, an unreachable API server leaves the cache synced with what it had.
      proxy.refuse();
      await waitFor('a failed watch', async () => lines.some((l) => l.msg === 'watch failed; restarting'));
      expect(cache.isSynced()).toBe(true);
      expect(cache.list(namespace)).toHaveLength(4);
      proxy.heal();
      await kube.core.deleteNamespacedConfigMap({ name: 'refused-b', namespace });
      await waitFor('refused-b gone from the cache', async () => !cache.get('refused-b', namespace), 30_000);
    } finally {
      proxy.heal();
      await cache.stop();
    }
  });

  it('restarts at most 2 s apart while the API server is unreachable and reports its return', async () => {
    const namespace = ns.name;
    const { log, lines } = capturingLogger();
    const recoveries: number[] = [];
    const cache = watchCache<V1ConfigMap>(
      proxied.kc,
      `/api/v1/namespaces/${namespace}/configmaps`,
      () =>
        listAllPages((page) =>
          proxied.core.listNamespacedConfigMap({ namespace, labelSelector: 'test=outage', ...page }),
        ),
      () => undefined,
      log,
      { onRecovered: () => void recoveries.push(Date.now()) },
    );
    try {
      expect(await settlesWithin(cache.synced, 30_000)).toBe(true);
      // A return is reported only after failures (a pooled connection the last test's proxy cut may fail once).
      expect(recoveries).toHaveLength(lines.length > 0 ? 1 : 0);
      recoveries.length = 0;
      lines.length = 0;
      proxy.refuse();
      // Long enough for a doubling backoff from 500 ms to pass 4 s (0.5 + 1 + 2 + 4 s).
      await sleep(9_000);
      const restarts = lines.filter((l) => l.msg === 'watch failed; restarting');
      expect(restarts.length).toBeGreaterThanOrEqual(5);
      expect(Math.max(...restarts.map((l) => l.retryInMs!))).toBeLessThanOrEqual(2_000);
      expect(recoveries).toEqual([]);

      proxy.heal();
      const healedAt = Date.now();
      await waitFor('the watch restored', async () => recoveries.length > 0, 10_000, 20);
      expect(recoveries[0] - healedAt).toBeLessThanOrEqual(2_500);
      await kube.core.createNamespacedConfigMap({
        namespace,
        body: configMap('after-outage', { test: 'outage' }),
      });
      await waitFor('a change after the outage', async () => cache.get('after-outage', namespace), 10_000);
      expect(recoveries).toHaveLength(1);
    } finally {
      proxy.heal();
      await cache.stop();
    }
  });

  it('lists more objects than fit on one page, and a cache built on that LIST holds them all', async () => {
    const namespace = ns.name;
    const expected = Array.from({ length: 25 }, (_, i) => `paged-${String(i).padStart(2, '0')}`);
    await Promise.all(
      expected.map((name) =>
        kube.core.createNamespacedConfigMap({ namespace, body: configMap(name, { test: 'paged' }) }),
      ),
    );
    const pages: PageRequest[] = [];
    const listPage = (page: PageRequest) => {
      pages.push(page);
      return kube.core.listNamespacedConfigMap({ namespace, labelSelector: 'test=paged', ...page });
    };
    const listed = await listAllPages(listPage, 10);
    expect(listed.items.map((o) => o.metadata?.name).sort()).toEqual(expected);
    expect(pages.map((p) => p.limit)).toEqual([10, 10, 10]);
    expect(pages[0]._continue).toBeUndefined();
    expect(pages[1]._continue).toBeTruthy();
    expect(pages[2]._continue).toBeTruthy();
    expect(listed.metadata.resourceVersion).toMatch(/^\d+$/);

    const cache = watchCache<V1ConfigMap>(
      kube.kc,
      `/api/v1/namespaces/${namespace}/configmaps`,
      () => listAllPages(listPage, 10),
      () => undefined,
      createLogger('warn'),
    );
    try {
      expect(await settlesWithin(cache.synced, 30_000)).toBe(true);
      const inCache = cache.list(namespace).filter((o) => o.metadata?.labels?.test === 'paged');
      expect(inCache.map((o) => o.metadata?.name).sort()).toEqual(expected);
      expect(inCache.every((o) => o.metadata?.managedFields === undefined)).toBe(true);
    } finally {
      await cache.stop();
    }
  });

  it('follows the continue token of custom object lists, which come back as raw JSON', async () => {
    const namespace = ns.name;
    const group = { group: 'kanaria.dev', version: 'v1beta1', plural: 'metrictemplates' };
    const expected = Array.from({ length: 12 }, (_, i) => `template-${String(i).padStart(2, '0')}`);
    await Promise.all(
      expected.map((name) =>
        kube.custom.createNamespacedCustomObject({
          ...group,
          namespace,
          body: {
            apiVersion: 'kanaria.dev/v1beta1',
            kind: 'MetricTemplate',
            metadata: { name },
            spec: { provider: { type: 'prometheus' }, query: 'up' },
          },
        }),
      ),
    );
    let requests = 0;
    const listed = await listAllPages((page) => {
      requests++;
      return kube.custom.listNamespacedCustomObject({ ...group, namespace, ...page }) as Promise<
        ListPage<{ metadata?: { name?: string } }>
      >;
    }, 5);
    expect(listed.items.map((o) => o.metadata?.name).sort()).toEqual(expected);
    expect(requests).toBe(3);
  });

  it('a manager is not synced while its LISTs are refused, and stopping it ends its start', async () => {
    proxy.refuse();
    const { log, lines } = capturingLogger();
    const manager = new Manager({
      kube: proxied,
      writer: new KubeWriter(proxied, 'watch-caches-test'),
      log,
      clock: Date.now,
      namespace: ns.name,
      selectorLabels: ['app'],
      ingressAnnotationPrefix: 'nginx.ingress.kubernetes.io',
    });
    const starting = manager.start();
    try {
      await waitFor('refused LISTs', async () => lines.some((l) => l.msg.startsWith('list failed')), 20_000);
      expect(manager.synced()).toBe(false);
      expect(await settlesWithin(starting, 100)).toBe(false);
    } finally {
      await manager.stop();
      proxy.heal();
    }
    await expect(starting).rejects.toThrow(/stopped before its watch caches synced/);
  });

  it('/readyz answers 503 until every cache of the manager has listed, /healthz 200 throughout', async () => {
    proxy.refuse();
    const dir = await mkdtemp(join(tmpdir(), 'kanaria-caches-'));
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, viaProxy(proxy).exportConfig());
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const status = (path: string) =>
      fetch(url + path).then(
        (r) => r.status,
        () => 0,
      );
    const starting = startController({
      kubeconfig,
      namespace: ns.name,
      listenAddress: `127.0.0.1:${port}`,
      log: createLogger('silent'),
    });
    let controller: RunningController | undefined;
    try {
      await waitFor('/healthz to answer', async () => (await status('/healthz')) === 200, 20_000, 50);
      await sleep(1_500); // several refused LISTs
      expect(await status('/readyz')).toBe(503);
      expect(await settlesWithin(starting, 0)).toBe(false);

      proxy.heal();
      controller = await starting;
      expect(controller.manager?.synced()).toBe(true);
      expect(await status('/readyz')).toBe(200);
    } finally {
      proxy.heal();
      controller ??= await starting.catch(() => undefined);
      await controller?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
