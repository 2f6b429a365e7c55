import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NotHeldError, SelectiveCache, type ObjectKey, type StreamEvent } from './selective-cache.ts';
import type { V1ConfigMap } from './types.ts';

const cm = (name: string, rv: number, value = `v${rv}`, namespace = 'ns'): V1ConfigMap => ({
  metadata: { name, namespace, resourceVersion: String(rv), managedFields: [{ manager: 'kubectl' }] },
  data: { value },
});

/** A cache whose GETs answer when the test says so. */
function cacheWithManualGets(namespace?: string) {
  const gets: { key: ObjectKey; answer: (obj: V1ConfigMap | undefined) => void; fail: (e: Error) => void }[] =
    [];
  const changes: [string, StreamEvent][] = [];
  let now = 0;
  const cache = new SelectiveCache<V1ConfigMap>({
    kind: 'ConfigMap',
    fetch: (key) => new Promise((resolve, reject) => gets.push({ key, answer: resolve, fail: reject })),
    onChange: (obj, event) => changes.push([obj.metadata!.name!, event]),
    clock: () => now,
    namespace,
  });
  return { cache, gets, changes, advance: (ms: number) => (now += ms) };
}

describe('selective cache', () => {
  it('holds only what was ensured: other objects of the stream are dropped, reading them throws', async () => {
    const { cache, gets } = cacheWithManualGets();
    const ensured = cache.ensure([{ namespace: 'ns', name: 'app-config' }]);
    gets[0].answer(cm('app-config', 5));
    await ensured;
    cache.observe('ADDED', cm('helm-release-1', 6));
    expect(cache.get('app-config', 'ns')?.data).toEqual({ value: 'v5' });
    expect(cache.get('app-config', 'ns')?.metadata?.managedFields).toBeUndefined();
    expect(() => cache.get('helm-release-1', 'ns')).toThrow(NotHeldError);
    expect(cache.size).toBe(1);
    expect(cache.list().map((o) => o.metadata?.name)).toEqual(['app-config']);
  });

  it('holds a missing object as absent and sees its creation, change and deletion', async () => {
    const { cache, gets, changes } = cacheWithManualGets();
    const ensured = cache.ensure([{ namespace: 'ns', name: 'later' }]);
    gets[0].answer(undefined);
    await ensured;
    expect(cache.get('later', 'ns')).toBeUndefined();
    cache.observe('ADDED', cm('later', 10));
    cache.observe('MODIFIED', cm('later', 11));
    expect(cache.get('later', 'ns')?.data).toEqual({ value: 'v11' });
    cache.observe('DELETED', cm('later', 12));
    expect(cache.get('later', 'ns')).toBeUndefined();
    expect(changes).toEqual([
      ['later', 'ADDED'],
      ['later', 'MODIFIED'],
      ['later', 'DELETED'],
    ]);
  });

  it('keeps the newer of a GET and an event that raced it, and ignores late stale events', async () => {
    const { cache, gets } = cacheWithManualGets();
    const ensured = cache.ensure([{ namespace: 'ns', name: 'a' }]);
    cache.observe('MODIFIED', cm('a', 20)); // the stream is ahead of the GET
    gets[0].answer(cm('a', 15));
    await ensured;
    expect(cache.get('a', 'ns')?.data).toEqual({ value: 'v20' });
    cache.observe('MODIFIED', cm('a', 18)); // the stream catching up from behind
    expect(cache.get('a', 'ns')?.data).toEqual({ value: 'v20' });
    cache.observe('DELETED', cm('a', 21));
    expect(cache.get('a', 'ns')).toBeUndefined();
  });

  it('reads a key once however many reconciles ensure it at the same time; a failed read is retried', async () => {
    const { cache, gets } = cacheWithManualGets();
    const first = cache.ensure([{ namespace: 'ns', name: 'a' }]);
    const second = cache.ensure([{ namespace: 'ns', name: 'a' }]);
    expect(gets).toHaveLength(1);
    gets[0].fail(new Error('503'));
    await expect(first).rejects.toThrow('503');
    await expect(second).rejects.toThrow('503');
    expect(() => cache.get('a', 'ns')).toThrow(NotHeldError);
    const third = cache.ensure([{ namespace: 'ns', name: 'a' }]);
    gets[1].answer(cm('a', 3));
    await third;
    expect(cache.get('a', 'ns')?.data).toEqual({ value: 'v3' });
  });

  it('lets go of keys not ensured for the idle time', async () => {
    const { cache, gets, advance } = cacheWithManualGets();
    const ensured = cache.ensure([
      { namespace: 'ns', name: 'a' },
      { namespace: 'ns', name: 'b' },
    ]);
    gets.forEach((g, i) => g.answer(cm(g.key.name, i + 1)));
    await ensured;
    advance(60_000);
    await cache.ensure([{ namespace: 'ns', name: 'a' }]);
    advance(60_000);
    expect(cache.prune(90_000)).toBe(1);
    expect(cache.get('a', 'ns')).toBeDefined();
    expect(() => cache.get('b', 'ns')).toThrow(NotHeldError);
  });

  it('after a resync holds what the LIST had, and a held object missing from it is gone', async () => {
    const { cache, gets, changes } = cacheWithManualGets();
    const ensured = cache.ensure([
      { namespace: 'ns', name: 'kept' },
      { namespace: 'ns', name: 'removed' },
    ]);
    gets.forEach((g) => g.answer(cm(g.key.name, 7)));
    await ensured;
    cache.resync([cm('kept', 30)], '40');
    expect(cache.get('kept', 'ns')?.data).toEqual({ value: 'v30' });
    expect(cache.get('removed', 'ns')).toBeUndefined();
    expect(changes).toEqual([
      ['kept', 'MODIFIED'],
      ['removed', 'DELETED'],
    ]);
  });

  it('outside its namespace reads nothing and answers undefined, as a cache of one namespace does', async () => {
    const { cache, gets } = cacheWithManualGets('team-a');
    await cache.ensure([{ namespace: 'kanaria-system', name: 'slack' }]);
    expect(gets).toHaveLength(0);
    expect(cache.get('slack', 'kanaria-system')).toBeUndefined();
  });

  it('ends with the server state whatever the order of GET answers and stream events (property)', async () => {
    // The server writes versions 1..n of one key (the last may be a deletion); the stream delivers them in
    // order; the GET answers the state at some version, at some point among the events.
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.boolean(),
        fc.nat(),
        fc.nat(),
        async (n, deletedAtEnd, getVersionSeed, answerAtSeed) => {
          const { cache, gets } = cacheWithManualGets();
          const states = Array.from({ length: n }, (_, i) => cm('k', i + 1));
          const getVersion = getVersionSeed % (n + 1); // 0: the GET saw no object yet
          const answerAt = answerAtSeed % (n + 1);
          const deleted = (v: number) => v === n && deletedAtEnd && n > 1;
          const stateAt = (v: number) => (v === 0 || deleted(v) ? undefined : states[v - 1]);
          const ensured = cache.ensure([{ namespace: 'ns', name: 'k' }]);
          for (let v = 1; v <= n; v++) {
            if (v - 1 === answerAt) gets[0].answer(stateAt(getVersion));
            const event: StreamEvent = v === 1 ? 'ADDED' : deleted(v) ? 'DELETED' : 'MODIFIED';
            cache.observe(event, states[v - 1]);
            await Promise.resolve();
          }
          if (answerAt === n) gets[0].answer(stateAt(getVersion));
          await ensured;
          const expected = deleted(n) ? undefined : `v${n}`;
          return cache.get('k', 'ns')?.data?.value === expected;
        },
      ),
      { numRuns: 500 },
    );
  });
});
