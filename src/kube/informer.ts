import {
  makeInformer,
  type KubeConfig,
  type KubernetesObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { describeError } from './client.ts';
import { backoffDelay, isUnavailable } from './retry.ts';

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

/**
 * Restart delays of a failed watch or LIST: 500 ms doubling per failure, each drawn from [d/2, d].
 *
 * - While the API server is unavailable (no answer, 429, 5xx) the delay stops growing at 2 s. A restart
 *   resumes the watch from its resourceVersion (a LIST only before the first sync or after 410 Gone): one
 *   small request per cache, about nine per manager every 1-2 s, which an unreachable server never sees and
 *   an overloaded one turns away cheaply (its priority and fairness). In return every cache notices the API server's return within 2 s, and the manager reconciles
 *   every Canary then (see `onRecovered`), inside the 5 s a release may pause after an outage.
 * - Any other error (401/403/404: credentials, RBAC, a CRD not installed) does not go away by itself: the
 *   delay grows to 30 s, which keeps the log readable.
 */
const FIRST_RETRY_MS = 500;
const UNAVAILABLE_MAX_RETRY_MS = 2_000;
const MAX_RETRY_MS = 30_000;

/** The restart delay after `attempt` failures in a row, the last one `err` (see above). */
export function watchRetryDelay(attempt: number, err: unknown): number {
  return backoffDelay(attempt, FIRST_RETRY_MS, isUnavailable(err) ? UNAVAILABLE_MAX_RETRY_MS : MAX_RETRY_MS);
}
/** An error this long after the previous one follows a healthy stretch: retry from the first delay again. */
const HEALTHY_AFTER_MS = 60_000;

export interface WatchCacheOptions {
  /**
   * Called when the cache's watch (or LIST) succeeds again after failures: the API server answers again.
   * Work that waited out the outage can resume now instead of at the end of its own backoff.
   */
  onRecovered?: () => void;
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Deletes, in place, what only clients' bookkeeping uses and often makes up most of an object's metadata:
 * `metadata.managedFields` (server-side apply) and kubectl's last-applied-configuration annotation (a
 * second copy of the whole object). The caches never read either, and Kanaria writes with patches and
 * server-side apply, which leave the server's values as they are.
 */
export function stripBookkeeping<T extends KubernetesObject>(obj: T): T {
  const metadata = obj.metadata;
  if (metadata?.managedFields !== undefined) delete metadata.managedFields;
  if (metadata?.annotations?.[LAST_APPLIED] !== undefined) delete metadata.annotations[LAST_APPLIED];
  return obj;
}

/**
 * A watch-backed cache of one resource.
 *
 * - The client's informer re-lists on 410 Gone but stops on any other error, so this restarts it with a
 *   capped exponential backoff, and reports the first success after failures (`onRecovered`).
 * - Its `start()` resolves even when the LIST failed (the error only reaches the error callbacks), so this
 *   records successful LISTs itself and counts as synced only after one.
 * - Objects lose `metadata.managedFields` and kubectl's last-applied annotation as they enter the cache. The informer stores an object in its map
 *   and then hands that same object to the add/update callbacks (for listed items and watch events alike;
 *   `addOrUpdateObject` in the client's cache.js), so stripping it there strips the cached copy.
 */
export function watchCache<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  list: ListFunction<T>,
  onChange: ChangeHandler<T>,
  log: Logger,
  options: WatchCacheOptions = {},
): WatchCache<T> {
  let stopped = false;
  let listSucceeded = false;
  let hasSynced = false;
  let lastListFailed = false;
  /** Failures of one kind since the last success (a LIST or an event); set the next restart delay. */
  let attempts = 0;
  /** Every failure counts here; unchanged across a start() means the start succeeded. */
  let failures = 0;
  let failing = false;
  let lastUnavailable = false;
  let lastErrorAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const { promise: synced, resolve: markSynced } = Promise.withResolvers<void>();

  const recordingList = async () => {
    try {
      const listed = await list();
      listSucceeded = true;
      attempts = 0;
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
    if (now - lastErrorAt > HEALTHY_AFTER_MS) attempts = 0;
    lastErrorAt = now;
    failures++;
    failing = true;
    // The count restarts when the kind of failure changes: a 404 from an API server that is back but still
    // registering its CRDs must not wait 30 s because the outage before it counted many failures.
    const unavailable = isUnavailable(err);
    if (unavailable !== lastUnavailable) attempts = 0;
    lastUnavailable = unavailable;
    attempts++;
    const retryInMs = watchRetryDelay(attempts, err);
    const context = { path, err: describeError(err), retryInMs };
    if (!lastListFailed) log.warn(context, 'watch failed; restarting');
    else if (hasSynced) log.warn(context, 're-list failed; the cache keeps the objects of the last list');
    else log.warn(context, 'list failed; the cache is not synced yet');
    lastListFailed = false;
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, retryInMs);
  };

  // start() resolves once its LIST (if one was needed) is in the cache and the watch request is made.
  // A failed LIST or watch request reaches the error callback before start() resolves, so a start() that
  // resolves with no new failure has its watch open (and its LIST, when one was needed, in the cache).
  const run = () => {
    timer = undefined;
    if (stopped) return;
    const failuresBefore = failures;
    informer.start().then(() => {
      if (stopped) return;
      if (listSucceeded && !hasSynced) {
        hasSynced = true;
        markSynced();
      }
      if (failing && failures === failuresBefore) {
        failing = false;
        log.info({ path }, 'watch restored');
        options.onRecovered?.();
      }
    }, retryAfterFailure);
  };

  const entering = (kind: 'add' | 'update') => (obj: T) => {
    stripBookkeeping(obj);
    attempts = 0;
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
