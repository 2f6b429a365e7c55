/**
 * A cache that holds only the objects asked for, not every object of its kind in the cluster: Secrets and
 * ConfigMaps, of which a cluster has many (Helm keeps every release in a Secret of up to a MiB) while the
 * Canaries use a few.
 *
 * - `ensure(keys)` makes the cache hold those objects (one GET each the first time) and marks them used.
 *   A key whose object does not exist is held as absent, so that its creation is noticed.
 * - A change stream of the whole kind (change-stream.ts) feeds `observe`: changes of held objects are
 *   applied, every other object is dropped on arrival. After the stream fell behind (410 Gone), `resync`
 *   replaces the held objects by those of a fresh LIST.
 * - `get` answers only for held keys: for any other it throws, because "not in the cache" would otherwise
 *   read as "does not exist" (a missing ConfigMap, a Secret without credentials).
 * - Keys not ensured for `idleMs` are dropped (`prune`), with their objects.
 *
 * A GET and the stream race: either may be newer. Objects carry their resourceVersion, which on an
 * etcd-backed API server is etcd's revision, a number that grows with every write; the newer one is kept.
 */
import type { Cache } from '../controller/caches.ts';
import { stripBookkeeping } from './informer.ts';
import { resourceVersionNumber } from './resource-version.ts';
import type { KubernetesObject } from './types.ts';

export interface ObjectKey {
  namespace: string;
  name: string;
}

export type StreamEvent = 'ADDED' | 'MODIFIED' | 'DELETED';

/** get() of an object no one ensured: reading it would be a guess. */
export class NotHeldError extends Error {
  constructor(kind: string, key: string) {
    super(`${kind} ${key} is not held by the cache: ensure() it before reading it`);
    this.name = 'NotHeldError';
  }
}

interface Entry<T> {
  obj: T | undefined;
  /** The resourceVersion the entry stands for: its object's, or that of the event or LIST that removed it. */
  version: bigint | undefined;
  loaded: boolean;
  /** The stream brought a state while the first GET was under way. */
  observed: boolean;
  usedAt: number;
  loading?: Promise<void>;
}

export interface SelectiveCacheOptions<T> {
  /** The kind, for messages. */
  kind: string;
  /** Reads one object; undefined when it does not exist. */
  fetch(key: ObjectKey): Promise<T | undefined>;
  /** Told when a held object is created, changed or deleted (not when it is first loaded). */
  onChange?(obj: T, event: StreamEvent): void;
  clock: () => number;
  /**
   * Namespaces the cache covers (all when undefined). A key elsewhere is never read: `ensure` skips it and
   * `get` answers undefined, as a cache of one namespace would.
   */
  namespace?: string;
}

const keyOf = (namespace: string | undefined, name: string | undefined) => `${namespace ?? ''}/${name ?? ''}`;

/** Whether a state at `incoming` replaces one at `held`; unknown versions are taken as newer. */
function replaces(incoming: bigint | undefined, held: bigint | undefined): boolean {
  return incoming === undefined || held === undefined || incoming > held;
}

export class SelectiveCache<T extends KubernetesObject> implements Cache<T> {
  readonly #options: SelectiveCacheOptions<T>;
  readonly #entries = new Map<string, Entry<T>>();

  constructor(options: SelectiveCacheOptions<T>) {
    this.#options = options;
  }

  /** Holds every key (reading those not held yet) and marks them used; rejects when a read fails. */
  async ensure(keys: Iterable<ObjectKey>): Promise<void> {
    const now = this.#options.clock();
    const pending: Promise<void>[] = [];
    for (const key of keys) {
      if (!this.#covers(key.namespace)) continue;
      const id = keyOf(key.namespace, key.name);
      const held = this.#entries.get(id);
      if (held) {
        held.usedAt = now;
        if (held.loading) pending.push(held.loading);
        continue;
      }
      const entry: Entry<T> = {
        obj: undefined,
        version: undefined,
        loaded: false,
        observed: false,
        usedAt: now,
      };
      this.#entries.set(id, entry);
      entry.loading = this.#load(id, key, entry);
      pending.push(entry.loading);
    }
    await Promise.all(pending);
  }

  async #load(id: string, key: ObjectKey, entry: Entry<T>): Promise<void> {
    try {
      const fetched = await this.#options.fetch(key);
      // The stream may have brought a newer state (or a deletion) while the GET was under way; a 404 does
      // not say when it was true, so a state the stream brought meanwhile stands against it.
      const version = resourceVersionNumber(fetched?.metadata?.resourceVersion);
      if (!entry.observed || (fetched && replaces(version, entry.version))) {
        entry.obj = fetched && stripBookkeeping(fetched);
        entry.version = version ?? entry.version;
      }
      entry.loaded = true;
    } catch (err) {
      if (this.#entries.get(id) === entry) this.#entries.delete(id);
      throw err;
    } finally {
      entry.loading = undefined;
    }
  }

  #covers(namespace: string | undefined): boolean {
    return this.#options.namespace === undefined || namespace === this.#options.namespace;
  }

  get(name: string, namespace?: string): T | undefined {
    if (!this.#covers(namespace)) return undefined;
    const id = keyOf(namespace, name);
    const entry = this.#entries.get(id);
    if (!entry?.loaded) throw new NotHeldError(this.#options.kind, id);
    return entry.obj;
  }

  list(namespace?: string): ReadonlyArray<T> {
    const out: T[] = [];
    for (const entry of this.#entries.values())
      if (entry.obj && (namespace === undefined || entry.obj.metadata?.namespace === namespace))
        out.push(entry.obj);
    return out;
  }

  /** Whether the object is held (an event about any other is dropped). */
  holds(namespace: string | undefined, name: string | undefined): boolean {
    return this.#entries.has(keyOf(namespace, name));
  }

  /** An event of the change stream. */
  observe(event: StreamEvent, obj: T): void {
    const entry = this.#entries.get(keyOf(obj.metadata?.namespace, obj.metadata?.name));
    if (!entry) return;
    const version = resourceVersionNumber(obj.metadata?.resourceVersion);
    if ((entry.loaded || entry.observed) && !replaces(version, entry.version)) return;
    if (!entry.loaded) entry.observed = true;
    entry.obj = event === 'DELETED' ? undefined : stripBookkeeping(obj);
    entry.version = version;
    // Before its GET answered, the entry is not readable yet: the GET decides whether this state stands.
    if (entry.loaded) this.#options.onChange?.(obj, event);
  }

  /**
   * After the stream fell behind: `items` are the held objects of a LIST at `listVersion` (the others it
   * returned are dropped by the caller); a held object missing from it was deleted.
   */
  resync(items: Iterable<T>, listVersion: string | undefined): void {
    const listed = new Map<string, T>();
    for (const item of items) listed.set(keyOf(item.metadata?.namespace, item.metadata?.name), item);
    const at = listVersion && /^\d+$/.test(listVersion) ? BigInt(listVersion) : undefined;
    for (const [id, entry] of this.#entries) {
      if (!entry.loaded) continue;
      const item = listed.get(id);
      if (item) {
        const changed = entry.obj?.metadata?.resourceVersion !== item.metadata?.resourceVersion;
        if (replaces(resourceVersionNumber(item.metadata?.resourceVersion), entry.version)) {
          entry.obj = stripBookkeeping(item);
          entry.version = resourceVersionNumber(item.metadata?.resourceVersion);
          if (changed) this.#options.onChange?.(item, 'MODIFIED');
        }
      } else if (entry.obj && replaces(at, entry.version)) {
        const gone = entry.obj;
        entry.obj = undefined;
        entry.version = at;
        this.#options.onChange?.(gone, 'DELETED');
      }
    }
  }

  /** Drops the keys not ensured in the last `idleMs`; returns how many. */
  prune(idleMs: number): number {
    const before = this.#options.clock() - idleMs;
    let dropped = 0;
    for (const [id, entry] of this.#entries)
      if (!entry.loading && entry.usedAt < before) {
        this.#entries.delete(id);
        dropped++;
      }
    return dropped;
  }

  /** How many keys are held (present or absent). */
  get size(): number {
    return this.#entries.size;
  }
}
