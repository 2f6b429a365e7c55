/**
 * The controller's ConfigMaps and Secrets: only those the Canaries reference are held (see
 * src/kube/selective-cache.ts), kept current by a change stream of each kind (src/kube/change-stream.ts).
 */
import type { Logger } from 'pino';
import { orAbsent, type Kube } from '../kube/client.ts';
import { changeStream, type ChangeStream } from '../kube/change-stream.ts';
import type { ListPage, PageRequest } from '../kube/paginate.ts';
import { SelectiveCache, type ObjectKey, type StreamEvent } from '../kube/selective-cache.ts';
import type { KubernetesObject, V1ConfigMap, V1Secret } from '../kube/types.ts';

/** Objects per page when a stream must LIST again: Helm's release Secrets reach 1 MiB each. */
const RESYNC_PAGE_SIZE = 50;

export interface HeldObjects {
  configMaps: SelectiveCache<V1ConfigMap>;
  secrets: SelectiveCache<V1Secret>;
  streams: ChangeStream[];
}

export interface HeldObjectsOptions {
  kube: Kube;
  log: Logger;
  /** Only this namespace; every namespace when undefined. */
  namespace?: string;
  clock: () => number;
  onChange(obj: KubernetesObject, kind: 'ConfigMap' | 'Secret'): void;
  onRecovered(): void;
}

function held<T extends KubernetesObject>(
  options: HeldObjectsOptions,
  kind: 'ConfigMap' | 'Secret',
  path: string,
  listPage: (page: PageRequest) => Promise<ListPage<T>>,
  read: (key: ObjectKey) => Promise<T>,
): { cache: SelectiveCache<T>; stream: ChangeStream } {
  const cache = new SelectiveCache<T>({
    kind,
    fetch: (key) => orAbsent(read(key)),
    onChange: (obj) => options.onChange(obj, kind),
    clock: options.clock,
    namespace: options.namespace,
  });
  let resynced: T[] = [];
  const stream = changeStream<T>({
    kc: options.kube.kc,
    path,
    log: options.log,
    listPage,
    pageSize: RESYNC_PAGE_SIZE,
    onEvent: (event: StreamEvent, obj: T) => cache.observe(event, obj),
    resync: (page, done) => {
      for (const obj of page)
        if (cache.holds(obj.metadata?.namespace, obj.metadata?.name)) resynced.push(obj);
      if (!done) return;
      cache.resync(resynced, done.resourceVersion);
      resynced = [];
    },
    onRecovered: options.onRecovered,
  });
  return { cache, stream };
}

export function heldObjects(options: HeldObjectsOptions): HeldObjects {
  const { kube, namespace } = options;
  const base = namespace ? `/api/v1/namespaces/${namespace}` : '/api/v1';
  const configMaps = held<V1ConfigMap>(
    options,
    'ConfigMap',
    `${base}/configmaps`,
    (page) =>
      namespace
        ? kube.core.listNamespacedConfigMap({ namespace, ...page })
        : kube.core.listConfigMapForAllNamespaces(page),
    (key) => kube.core.readNamespacedConfigMap(key),
  );
  const secrets = held<V1Secret>(
    options,
    'Secret',
    `${base}/secrets`,
    (page) =>
      namespace
        ? kube.core.listNamespacedSecret({ namespace, ...page })
        : kube.core.listSecretForAllNamespaces(page),
    (key) => kube.core.readNamespacedSecret(key),
  );
  return {
    configMaps: configMaps.cache,
    secrets: secrets.cache,
    streams: [configMaps.stream, secrets.stream],
  };
}
