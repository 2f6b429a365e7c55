/**
 * The fault proxy in front of the test's real API server: what it forwards arrives, what it answers itself
 * was not written, a write whose answer it loses was written, and watches through it are cut.
 */
import { Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKube, statusCode, type Kube } from '../src/kube/client.ts';
import { freshNamespace, kubeconfigPath, testKube } from '../test/integration/helpers.ts';
import { FaultProxy, type FaultSettings } from './fault-proxy.ts';
import { describeRequest } from './proxy-http.ts';
import { seededRng } from './rng.ts';

const NONE: FaultSettings = {
  writeShare: 0,
  lostShare: 0,
  resetShare: 0,
  readResetShare: 0,
  watchCutMinMs: 1000,
  watchCutMaxMs: 1500,
};

describe('fault proxy', () => {
  let direct: Kube;
  let namespace: string;
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    direct = testKube();
    const ns = await freshNamespace(direct, 'proxy');
    namespace = ns.name;
    cleanups.push(ns.cleanup);
  });
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  async function through(settings: Partial<FaultSettings>): Promise<{ proxy: FaultProxy; kube: Kube }> {
    const proxy = await FaultProxy.start(kubeconfigPath(), { ...NONE, ...settings }, seededRng(7));
    cleanups.push(() => proxy.close());
    return { proxy, kube: createKube(proxy.kubeconfig) };
  }
  const create = (kube: Kube, name: string) =>
    kube.core.createNamespacedConfigMap({ namespace, body: { metadata: { name }, data: { a: '1' } } });
  const exists = (name: string) =>
    direct.core.readNamespacedConfigMap({ namespace, name }).then(
      () => true,
      (err: unknown) => (statusCode(err) === 404 ? false : Promise.reject(err)),
    );

  it('names verbs and resources', () => {
    expect(describeRequest('PUT', '/apis/kanaria.dev/v1beta1/namespaces/a/canaries/x/status')).toEqual({
      verb: 'update',
      resource: 'canaries/status',
      watch: false,
    });
    expect(describeRequest('GET', '/apis/apps/v1/deployments?watch=true&resourceVersion=5')).toMatchObject({
      verb: 'watch',
      resource: 'deployments',
    });
    expect(describeRequest('GET', '/api/v1/namespaces/a/configmaps/b').verb).toBe('get');
    expect(describeRequest('GET', '/api/v1/namespaces').verb).toBe('list');
    expect(describeRequest('GET', '/apis/apps/v1').verb).toBe('discovery');
    expect(describeRequest('GET', '/readyz').verb).toBe('other');
  });

  it('forwards reads and writes unchanged when no fault is drawn', async () => {
    const { proxy, kube } = await through({});
    await create(kube, 'plain');
    const read = await kube.core.readNamespacedConfigMap({ namespace, name: 'plain' });
    expect(read.data).toEqual({ a: '1' });
    expect(proxy.stats.writes).toEqual({ seen: 1, faulted: 0 });
    expect(proxy.writes).toEqual([
      expect.objectContaining({ verb: 'create', upstream: 201, rv: read.metadata?.resourceVersion }),
    ]);
    expect(proxy.writes[0].body).toContain('"plain"');
    expect(proxy.stats.requests).toEqual({ create: 1, get: 1 });
  });

  it('answers faulted writes with a Status and writes nothing', async () => {
    const { proxy, kube } = await through({ writeShare: 1 });
    const codes = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const err = await create(kube, `refused-${i}`).then(
        () => undefined,
        (e: unknown) => e,
      );
      const code = statusCode(err);
      codes.add(code ?? 0);
      const body = JSON.parse(String((err as { body?: unknown }).body)) as Record<string, unknown>;
      expect(body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code });
      expect(await exists(`refused-${i}`)).toBe(false);
    }
    expect([...codes].sort()).toEqual([409, 429, 500]);
    expect(proxy.stats.writes).toEqual({ seen: 12, faulted: 12 });
  });

  it('resets writes before forwarding them: nothing written', async () => {
    const { proxy, kube } = await through({ writeShare: 1, resetShare: 1 });
    await expect(create(kube, 'reset')).rejects.toThrow();
    expect(await exists('reset')).toBe(false);
    expect(proxy.stats.faults['write-reset-before-forward']).toBe(1);
  });

  it('loses the answer of a write that was made', async () => {
    const { proxy, kube } = await through({ writeShare: 1, lostShare: 1 });
    for (let i = 0; i < 4; i++) {
      await expect(create(kube, `lost-${i}`)).rejects.toThrow();
      expect(await exists(`lost-${i}`)).toBe(true);
    }
    expect(proxy.stats.faults['written-then-500'] + proxy.stats.faults['written-then-reset']).toBe(4);
  });

  it('passes a watch on at once and cuts it after the configured time', async () => {
    const { proxy } = await through({});
    const { kc } = createKube(proxy.kubeconfig);
    const startedAt = Date.now();
    let established = 0;
    const ended = await new Promise<number>((resolve) => {
      void new Watch(kc)
        .watch(
          `/api/v1/namespaces/${namespace}/secrets`, // no event comes: only the headers open the watch
          { timeoutSeconds: 30 },
          () => undefined,
          () => resolve(Date.now() - startedAt),
        )
        .then(() => (established = Date.now() - startedAt));
    });
    expect(established).toBeGreaterThan(0);
    expect(established).toBeLessThan(800);
    expect(ended).toBeGreaterThanOrEqual(900);
    expect(ended).toBeLessThan(5000);
    expect(proxy.stats.faults['watch-cut-end'] + proxy.stats.faults['watch-cut-reset']).toBe(1);
  });
});
