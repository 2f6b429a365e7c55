import { describe, expect, it } from 'vitest';
import type { KubernetesObject } from '../kube/types.ts';
import type { Cache, Caches } from './caches.ts';
import { InfraMemo } from './infra-memo.ts';

/** Caches over plain maps; `set` changes an object's version as a watch event would. */
function mapCaches() {
  const services = new Map<string, KubernetesObject>();
  const cache = (store: Map<string, KubernetesObject>): Cache<KubernetesObject> => ({
    get: (name, namespace) => store.get(`${namespace}/${name}`),
    list: () => [...store.values()],
  });
  const empty = cache(new Map());
  const caches = {
    canaries: empty,
    deployments: empty,
    services: cache(services),
    ingresses: empty,
    configMaps: empty,
    secrets: empty,
    hpas: empty,
    metricTemplates: empty,
    alertProviders: empty,
  } as unknown as Caches;
  const set = (name: string, resourceVersion: string | undefined) =>
    resourceVersion === undefined
      ? services.delete(`shop/${name}`)
      : services.set(`shop/${name}`, { metadata: { name, namespace: 'shop', resourceVersion } });
  return { caches, set };
}

describe('InfraMemo', () => {
  it('skips a pass that wrote nothing until an input or an object it read changes', async () => {
    const { caches, set } = mapCaches();
    set('web', '1');
    const memo = new InfraMemo(caches);
    const pass = () => memo.run('shop/web', 'rv-10', async () => memo.caches.services.get('web', 'shop'));
    expect(memo.isCurrent('shop/web', 'rv-10')).toBe(false);
    await pass();
    expect(memo.isCurrent('shop/web', 'rv-10')).toBe(true);
    expect(memo.isCurrent('shop/web', 'rv-11')).toBe(false); // a new status or spec
    set('web', '2'); // someone edited the Service
    expect(memo.isCurrent('shop/web', 'rv-10')).toBe(false);
    await pass();
    expect(memo.isCurrent('shop/web', 'rv-10')).toBe(true);
    set('web', undefined); // deleted
    expect(memo.isCurrent('shop/web', 'rv-10')).toBe(false);
  });

  it('a missing object that appears, a pass that wrote or listed: never skipped', async () => {
    const { caches, set } = mapCaches();
    const memo = new InfraMemo(caches);
    await memo.run('shop/web', 'rv', async () => memo.caches.services.get('web-canary', 'shop'));
    expect(memo.isCurrent('shop/web', 'rv')).toBe(true);
    set('web-canary', '5');
    expect(memo.isCurrent('shop/web', 'rv')).toBe(false);

    await memo.run('shop/web', 'rv', async (wrote) => wrote());
    expect(memo.isCurrent('shop/web', 'rv')).toBe(false);
    await memo.run('shop/web', 'rv', async () => memo.caches.services.list('shop'));
    expect(memo.isCurrent('shop/web', 'rv')).toBe(false);
  });

  it('keeps the reads of concurrent passes apart', async () => {
    const { caches, set } = mapCaches();
    set('a', '1');
    set('b', '1');
    const memo = new InfraMemo(caches);
    const tick = () => new Promise((r) => setTimeout(r, 5));
    await Promise.all([
      memo.run('shop/a', 'x', async () => {
        await tick();
        memo.caches.services.get('a', 'shop');
      }),
      memo.run('shop/b', 'x', async () => {
        memo.caches.services.get('b', 'shop');
        await tick();
      }),
    ]);
    set('b', '2');
    expect(memo.isCurrent('shop/a', 'x')).toBe(true);
    expect(memo.isCurrent('shop/b', 'x')).toBe(false);
    memo.forget('shop/a');
    expect(memo.isCurrent('shop/a', 'x')).toBe(false);
  });
});
