/**
 * The changes of one resource from now on, for a cache that holds only some of its objects
 * (selective-cache.ts): no LIST of every object at the start, only a LIST of one item for the collection's
 * current resourceVersion, then a watch from it. Every event is handed on and nothing is kept here.
 *
 * - The watch ends now and then (server timeout, inactivity): it resumes from the last resourceVersion
 *   seen (bookmarks included).
 * - 410 Gone (the server no longer has the changes since that version): `resync` is called with a fresh
 *   LIST, read page by page so that no more than one page of objects is in memory at a time, and the
 *   watch continues from that LIST's version.
 * - Failures are retried with the watch caches' backoff (informer.ts watchRetryDelay); `onRecovered` is
 *   told of the first success after failures.
 */
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { describeError } from './client.ts';
import { forEachPage, type ListPage, type PageRequest } from './paginate.ts';
import { watchRetryDelay } from './informer.ts';
import type { StreamEvent } from './selective-cache.ts';
import type { KubernetesObject } from './types.ts';

export interface ChangeStreamOptions<T extends KubernetesObject> {
  kc: KubeConfig;
  /** The collection's path, e.g. /api/v1/secrets. */
  path: string;
  log: Logger;
  /** One page of the LIST of the resource. */
  listPage(page: PageRequest): Promise<ListPage<T>>;
  /** Objects per page of a resync LIST. */
  pageSize: number;
  onEvent(event: StreamEvent, obj: T): void;
  /** After 410 Gone: every object of a fresh LIST, one page at a time, then that LIST's resourceVersion. */
  resync(page: readonly T[], done: { resourceVersion: string | undefined } | undefined): void;
  onRecovered?(): void;
}

export interface ChangeStream {
  /** Resolves once the watch has started the first time (changes from then on are seen). */
  readonly started: Promise<void>;
  isStarted(): boolean;
  stop(): Promise<void>;
}

export function changeStream<T extends KubernetesObject>(options: ChangeStreamOptions<T>): ChangeStream {
  const { log, path } = options;
  const watcher = new Watch(options.kc);
  let version: string | undefined;
  let needsResync = false;
  let stopped = false;
  let started = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let request: AbortController | undefined;
  const { promise: startedPromise, resolve: markStarted } = Promise.withResolvers<void>();

  const currentVersion = async (): Promise<string | undefined> => {
    if (!needsResync) return (await options.listPage({ limit: 1 })).metadata?.resourceVersion;
    const resourceVersion = await forEachPage(options.listPage, options.pageSize, (page) =>
      options.resync(page, undefined),
    );
    options.resync([], { resourceVersion });
    return resourceVersion;
  };

  const schedule = (err: unknown) => {
    if (stopped) return;
    let delay = 0;
    if (err) {
      failures++;
      delay = watchRetryDelay(failures, err);
      log.warn({ path, err: describeError(err), retryInMs: delay }, 'change stream failed; restarting');
    }
    timer = setTimeout(run, delay);
  };

  const succeeded = () => {
    if (failures > 0) {
      failures = 0;
      log.info({ path }, 'change stream restored');
      options.onRecovered?.();
    }
  };

  const run = async () => {
    timer = undefined;
    if (stopped) return;
    try {
      if (version === undefined) {
        version = await currentVersion();
        needsResync = false;
      }
      let gone = false;
      let ended: { err: unknown } | undefined;
      let onEnd: (err: unknown) => void = () => {};
      const end = new Promise<unknown>((resolve) => (onEnd = resolve));
      request = await watcher.watch(
        path,
        { resourceVersion: version, allowWatchBookmarks: true },
        (type: string, obj: T & { code?: number }) => {
          if (type === 'ERROR') {
            if (obj.code === 410) gone = true;
            return;
          }
          const rv = obj.metadata?.resourceVersion;
          if (rv) version = rv;
          if (type !== 'BOOKMARK') options.onEvent(type as StreamEvent, obj);
        },
        (err: unknown) => {
          ended = { err };
          onEnd(err);
        },
      );
      // A refused watch (an error status) has ended before it started.
      if (!ended?.err) {
        if (!started) {
          started = true;
          markStarted();
        }
        succeeded();
      }
      const err = await end;
      if (gone || (err as { statusCode?: number } | null)?.statusCode === 410) {
        version = undefined;
        needsResync = true;
        return schedule(undefined);
      }
      // The client ends a watch that stayed quiet for 30 s: resume at once, it is no failure.
      schedule((err as Error | null)?.name === 'TimeoutError' ? undefined : err);
    } catch (err) {
      schedule(err);
    }
  };
  void run();

  return {
    started: startedPromise,
    isStarted: () => started,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      request?.abort();
    },
  };
}
