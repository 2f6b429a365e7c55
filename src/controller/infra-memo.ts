import { AsyncLocalStorage } from 'node:async_hooks';
import type { KubernetesObject } from '../kube/types.ts';
import type { Cache, Caches } from './caches.ts';

/** What one pass over a Canary's objects read from the caches, and whether it wrote anything. */
interface ReadLog {
  /** `cache/namespace/name` → the resourceVersion read ('' when the object was missing). */
  reads: Map<string, string>;
  wrote: boolean;
  /** A list was read: the pass cannot be told unchanged by its reads alone. */
  listed: boolean;
}

interface Entry {
  inputs: string;
  reads: Map<string, string>;
}

type CacheName = keyof Omit<Caches, 'canaryIndex'>;

const CACHE_NAMES: CacheName[] = [
  'canaries',
  'deployments',
  'services',
  'ingresses',
  'configMaps',
  'secrets',
  'hpas',
  'httpRoutes',
  'metricTemplates',
  'alertProviders',
];

/**
 * Skips a pass that builds a Canary's desired objects and compares them with the live ones (the Services,
 * routes, HPA, primary and baseline: hashing and comparing them is most of a reconcile's CPU) when it
 * would find what the last pass found: nothing to write. The last pass is remembered only when it wrote
 * nothing and read no list; it counts as current while its inputs (the recorded Canary's resourceVersion
 * and what the caller derived from other caches) are the same and every object it read from the caches
 * is still at the version it read. Any change — a hand edit of an owned object, a new status, a deleted
 * object — makes the next pass run in full.
 */
export class InfraMemo {
  private readonly entries = new Map<string, Entry>();
  private readonly current = new AsyncLocalStorage<ReadLog>();
  private readonly raw: Caches;
  /** The caches to read through inside `run`: their reads are logged. */
  readonly caches: Caches;

  constructor(caches: Caches) {
    this.raw = caches;
    this.caches = this.recording();
  }

  /** True when the last pass for `key` with these `inputs` is still current. */
  isCurrent(key: string, inputs: string): boolean {
    const entry = this.entries.get(key);
    if (!entry || entry.inputs !== inputs) return false;
    for (const [at, version] of entry.reads) if (this.versionNow(at) !== version) return false;
    return true;
  }

  /** Runs one pass; `write` marks a write (call it before each one). */
  async run<T>(key: string, inputs: string, pass: (wrote: () => void) => Promise<T>): Promise<T> {
    const log: ReadLog = { reads: new Map(), wrote: false, listed: false };
    this.entries.delete(key);
    const result = await this.current.run(log, () =>
      pass(() => {
        log.wrote = true;
      }),
    );
    if (!log.wrote && !log.listed) this.entries.set(key, { inputs, reads: log.reads });
    return result;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  private versionNow(at: string): string {
    const [cache, namespace, name] = at.split('/') as [CacheName, string, string];
    const obj = this.raw[cache]?.get(name, namespace || undefined);
    return obj?.metadata?.resourceVersion ?? '';
  }

  private recording(): Caches {
    const logged = <T extends KubernetesObject>(cacheName: CacheName, cache: Cache<T>): Cache<T> => ({
      get: (name, namespace) => {
        const obj = cache.get(name, namespace);
        this.current
          .getStore()
          ?.reads.set(`${cacheName}/${namespace ?? ''}/${name}`, obj?.metadata?.resourceVersion ?? '');
        return obj;
      },
      list: (namespace) => {
        const log = this.current.getStore();
        if (log) log.listed = true;
        return cache.list(namespace);
      },
    });
    // Optional caches (HTTPRoutes) may appear later: read through at the time of each call. One logging
    // wrapper per cache, made on first use (the caches are read on every pass).
    const wrappers = new WeakMap<Cache<KubernetesObject>, Cache<KubernetesObject>>();
    const view = {} as Caches;
    Object.defineProperty(view, 'canaryIndex', { enumerable: true, get: () => this.raw.canaryIndex });
    for (const name of CACHE_NAMES) {
      Object.defineProperty(view, name, {
        enumerable: true,
        get: () => {
          const cache = this.raw[name] as Cache<KubernetesObject> | undefined;
          if (!cache) return undefined;
          let wrapper = wrappers.get(cache);
          if (!wrapper) wrappers.set(cache, (wrapper = logged(name, cache)));
          return wrapper;
        },
      });
    }
    return view;
  }
}
