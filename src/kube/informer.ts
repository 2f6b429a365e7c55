import {
  makeInformer,
  type KubeConfig,
  type KubernetesObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { describeError } from './client.ts';

export type ChangeHandler<T> = (obj: T, kind: 'add' | 'update' | 'delete') => void;

/** A LIST of the watched resource: its items and the resourceVersion to watch from. */
export type ListFunction<T> = () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;

export interface WatchCache<T extends KubernetesObject> extends ObjectCache<T> {
  stop(): Promise<void>;
  /**
   * Resolves once a LIST has succeeded and its objects are in the cache. Never rejects: while LISTs fail it
   * stays pending (the cache keeps retrying), and it stays pending for good if the cache is stopped first.
   */
  synced: Promise<void>;
  /** True from the moment `synced` resolves; a later failed re-list does not make it false again. */
  isSynced(): boolean;
}

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;
/** An error this long after the previous one follows a healthy stretch: retry from the first delay again. */
const HEALTHY_AFTER_MS = 60_000;

/**
 * Deletes `metadata.managedFields` (server-side apply bookkeeping, often the larger part of an object's
 * metadata) in place. The caches never read it; an update sent without it keeps the server's value.
 */
export function stripManagedFields<T extends KubernetesObject>(obj: T): T {
  if (obj.metadata?.managedFields !== undefined) delete obj.metadata.managedFields;
  return obj;
}

/**
 * A watch-backed cache of one resource.
 *
 * - The client's informer re-lists on 410 Gone but stops on any other error, so this restarts it with a
 *   capped exponential backoff.
 * - Its `start()` resolves even when the LIST failed (the error only reaches the error callbacks), so this
 *   records successful LISTs itself and counts as synced only after one.
 * - Objects lose `metadata.managedFields` as they enter the cache. The informer stores an object in its map
 *   and then hands that same object to the add/update callbacks (for listed items and watch events alike;
 *   `addOrUpdateObject` in the client's cache.js), so stripping it there strips the cached copy.
 */
export function watchCache<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  list: ListFunction<T>,
  onChange: ChangeHandler<T>,
  log: Logger,
): WatchCache<T> {
  let stopped = false;
  let listSucceeded = false;
  let hasSynced = false;
  let lastListFailed = false;
  let retryMs = FIRST_RETRY_MS;
  let lastErrorAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const { promise: synced, resolve: markSynced } = Promise.withResolvers<void>();

  const recordingList = async () => {
    try {
      const listed = await list();
      listSucceeded = true;
      retryMs = FIRST_RETRY_MS;
      return listed;
    } catch (err) {
      lastListFailed = true;
      throw err;
    }
  };
  const informer = makeInformer<T>(kc, path, recordingList as never);

  const retryAfterFailure = (err: unknown) => {
    if (stopped) return;
    const now = Date.now();
    if (now - lastErrorAt > HEALTHY_AFTER_MS) retryMs = FIRST_RETRY_MS;
    lastErrorAt = now;
    const context = { path, err: describeError(err), retryInMs: retryMs };
    if (!lastListFailed) log.warn(context, 'watch failed; restarting');
    else if (hasSynced) log.warn(context, 're-list failed; the cache keeps the objects of the last list');
    else log.warn(context, 'list failed; the cache is not synced yet');
    lastListFailed = false;
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, retryMs);
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  };

  // start() resolves once its LIST (if one was needed) is in the cache and the watch request is made.
  const run = () => {
    timer = undefined;
    if (stopped) return;
    informer.start().then(() => {
      if (listSucceeded && !hasSynced && !stopped) {
        hasSynced = true;
        markSynced();
      }
    }, retryAfterFailure);
  };

  const entering = (kind: 'add' | 'update') => (obj: T) => {
    stripManagedFields(obj);
    retryMs = FIRST_RETRY_MS;
    onChange(obj, kind);
  };
  informer.on('add', entering('add'));
  informer.on('update', entering('update'));
  informer.on('delete', (obj) => onChange(obj, 'delete'));
  informer.on('error', retryAfterFailure);
  run();

  return {
    get: (name, namespace) => informer.get(name, namespace),
    list: (namespace) => informer.list(namespace),
    synced,
    isSynced: () => hasSynced,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await informer.stop();
    },
  };
}
