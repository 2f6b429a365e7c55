import {
  makeInformer,
  type KubeConfig,
  type KubernetesObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';

export type ChangeHandler<T> = (obj: T, kind: 'add' | 'update' | 'delete') => void;

export interface WatchCache<T extends KubernetesObject> extends ObjectCache<T> {
  stop(): Promise<void>;
  /** Resolves once the first list has filled the cache. */
  synced: Promise<void>;
}

/**
 * A watch-backed cache of one resource. The client's informer re-lists on 410 Gone but stops on any
 * other error, so this restarts it with a capped backoff.
 */
export function watchCache<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  list: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>,
  onChange: ChangeHandler<T>,
  log: Logger,
): WatchCache<T> {
  const informer = makeInformer<T>(kc, path, list as never);
  let stopped = false;
  let backoffMs = 500;
  let timer: NodeJS.Timeout | undefined;
  informer.on('add', (o) => onChange(o, 'add'));
  informer.on('update', (o) => onChange(o, 'update'));
  informer.on('delete', (o) => onChange(o, 'delete'));
  informer.on('connect', () => {
    backoffMs = 500;
  });
  informer.on('error', (err) => {
    if (stopped) return;
    log.warn({ path, err: String(err), retryInMs: backoffMs }, 'watch failed; restarting');
    timer = setTimeout(() => {
      if (!stopped) informer.start().catch((e) => log.warn({ path, err: String(e) }, 'watch restart failed'));
    }, backoffMs);
    backoffMs = Math.min(backoffMs * 2, 30_000);
  });
  const synced = informer.start();
  return {
    get: (name, namespace) => informer.get(name, namespace),
    list: (namespace) => informer.list(namespace),
    synced,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await informer.stop();
    },
  };
}
