import { describe, expect, it } from 'vitest';
import type { WatchCache } from '../kube/informer.ts';
import type { KubernetesObject } from '../kube/types.ts';
import { createLogger } from '../observability/logger.ts';
import { OptionalWatch } from './optional-watch.ts';

function fakeCache(): WatchCache<KubernetesObject> {
  return {
    get: () => undefined,
    list: () => [],
    synced: Promise.resolve(),
    isSynced: () => true,
    stop: async () => undefined,
  };
}

const log = createLogger('silent');

describe('OptionalWatch', () => {
  it('starts the watch at once when the resource is served', async () => {
    const cache = fakeCache();
    const w = new OptionalWatch({ available: async () => true, start: () => cache, onLater: () => {}, log });
    expect(await w.first()).toBe(cache);
    w.stop();
  });

  it('looks again while the resource is missing and reports the cache once it is served and listed', async () => {
    let served = false;
    let looks = 0;
    const later = Promise.withResolvers<WatchCache<KubernetesObject>>();
    const w = new OptionalWatch({
      available: async () => (looks++, served),
      start: fakeCache,
      onLater: (c) => later.resolve(c),
      log,
      recheckMs: 5,
    });
    expect(await w.first()).toBeUndefined();
    await new Promise((r) => setTimeout(r, 30));
    expect(looks).toBeGreaterThan(1);
    served = true;
    expect(await later.promise).toBeDefined();
    w.stop();
  });

  it('stops looking once stopped', async () => {
    let looks = 0;
    const w = new OptionalWatch({
      available: async () => (looks++, false),
      start: fakeCache,
      onLater: () => {},
      log,
      recheckMs: 5,
    });
    await w.first();
    w.stop();
    const seen = looks;
    await new Promise((r) => setTimeout(r, 30));
    expect(looks).toBe(seen);
  });
});
