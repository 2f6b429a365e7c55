/**
 * The controller's caches: a watch cache per kind it reads (paginated LISTs, bookkeeping fields stripped on
 * arrival), the HTTPRoute cache once the cluster serves that kind, and the ConfigMaps and Secrets the
 * Canaries reference (held-objects.ts).
 */
import type { Logger } from 'pino';
import type { AlertProvider, Canary, MetricTemplate } from '../api/types.ts';
import type { Kube } from '../kube/client.ts';
import { canWatch } from '../kube/discovery.ts';
import { watchCache, type WatchCache } from '../kube/informer.ts';
import { listAllPages, type ListPage, type PageRequest } from '../kube/paginate.ts';
import type { KubernetesObject } from '../kube/types.ts';
import { GATEWAY_API_GROUP, type HTTPRoute } from '../router/httproute-types.ts';
import type { Cache, Caches } from './caches.ts';
import { heldObjects, type HeldObjects } from './held-objects.ts';
import { OptionalWatch } from './optional-watch.ts';

const HTTPROUTES = { group: GATEWAY_API_GROUP, version: 'v1', plural: 'httproutes' };

export interface CacheSetOptions {
  kube: Kube;
  log: Logger;
  /** One namespace only; every namespace when undefined. */
  namespace?: string;
  clock: () => number;
  optionalResourceRecheckMs?: number;
  /** Changes reach the callbacks below only while this is true (the manager runs). */
  running: () => boolean;
  /** A watch works again after failures: the API server answers again. */
  onRecovered: () => void;
  /** A Deployment, Service, Ingress, HPA, HTTPRoute, ConfigMap or Secret changed. */
  onRelated: (obj: KubernetesObject, kind: string) => void;
  onCanary: (canary: KubernetesObject) => void;
  /** A MetricTemplate or AlertProvider changed. */
  onResource: (
    plural: 'metrictemplates' | 'alertproviders',
    obj: (MetricTemplate | AlertProvider) & KubernetesObject,
  ) => void;
  /** The cluster serves HTTPRoutes now (it did not when the caches started). */
  onHttpRoutesLater: (cache: Cache<HTTPRoute>) => void;
}

export interface CacheSet {
  caches: Caches;
  /** Every watch cache, those started later (HTTPRoutes) included. */
  watches: WatchCache<KubernetesObject>[];
  held: HeldObjects;
  httpRouteWatch: OptionalWatch<HTTPRoute>;
}

export async function startCaches(o: CacheSetOptions): Promise<CacheSet> {
  const { kube, log } = o;
  const ns = o.namespace;
  const watches: WatchCache<KubernetesObject>[] = [];
  const path = (group: string, resource: string): string => {
    const base = group === '' ? '/api/v1' : `/apis/${group}`;
    return ns ? `${base}/namespaces/${ns}/${resource}` : `${base}/${resource}`;
  };
  /** A watch cache whose LISTs come in pages of `listPage`. */
  const watch = <T extends KubernetesObject>(
    at: string,
    listPage: (page: PageRequest) => Promise<ListPage<T>>,
    onChange: (obj: T) => void,
  ): WatchCache<T> => {
    const list = () => listAllPages(listPage);
    const w = watchCache<T>(kube.kc, at, list, (obj) => o.running() && onChange(obj), log, {
      onRecovered: o.onRecovered,
    });
    watches.push(w as unknown as WatchCache<KubernetesObject>);
    return w;
  };
  const rel = (kind: string) => (obj: KubernetesObject) => o.onRelated(obj, kind);
  /** One page of one of Kanaria's own kinds in the watched namespace (or all). */
  const listOwn =
    <T>(plural: string) =>
    (page: PageRequest) =>
      (ns
        ? kube.custom.listNamespacedCustomObject({
            group: 'kanaria.dev',
            version: 'v1beta1',
            plural,
            namespace: ns,
            ...page,
          })
        : kube.custom.listClusterCustomObject({
            group: 'kanaria.dev',
            version: 'v1beta1',
            plural,
            ...page,
          })) as Promise<ListPage<T>>;
  const httpRouteWatch = new OptionalWatch<HTTPRoute>({
    available: () => canWatch(kube, HTTPROUTES, ns, log),
    start: () =>
      watch<HTTPRoute>(
        path(`${HTTPROUTES.group}/${HTTPROUTES.version}`, HTTPROUTES.plural),
        (page) =>
          (ns
            ? kube.custom.listNamespacedCustomObject({ ...HTTPROUTES, namespace: ns, ...page })
            : kube.custom.listClusterCustomObject({ ...HTTPROUTES, ...page })) as Promise<
            ListPage<HTTPRoute>
          >,
        rel('HTTPRoute'),
      ),
    onLater: o.onHttpRoutesLater,
    log,
    recheckMs: o.optionalResourceRecheckMs,
  });
  const httpRoutes = await httpRouteWatch.first();
  const held = heldObjects({
    kube,
    log,
    namespace: ns,
    clock: o.clock,
    onChange: (obj, kind) => o.running() && o.onRelated(obj, kind),
    onRecovered: o.onRecovered,
  });
  const caches: Caches = {
    canaries: watch<Canary & KubernetesObject>(
      path('kanaria.dev/v1beta1', 'canaries'),
      listOwn<Canary & KubernetesObject>('canaries'),
      o.onCanary,
    ),
    deployments: watch(
      path('apps/v1', 'deployments'),
      (page) =>
        ns
          ? kube.apps.listNamespacedDeployment({ namespace: ns, ...page })
          : kube.apps.listDeploymentForAllNamespaces(page),
      rel('Deployment'),
    ),
    services: watch(
      path('', 'services'),
      (page) =>
        ns
          ? kube.core.listNamespacedService({ namespace: ns, ...page })
          : kube.core.listServiceForAllNamespaces(page),
      rel('Service'),
    ),
    ingresses: watch(
      path('networking.k8s.io/v1', 'ingresses'),
      (page) =>
        ns
          ? kube.networking.listNamespacedIngress({ namespace: ns, ...page })
          : kube.networking.listIngressForAllNamespaces(page),
      rel('Ingress'),
    ),
    configMaps: held.configMaps,
    secrets: held.secrets,
    metricTemplates: watch<MetricTemplate & KubernetesObject>(
      path('kanaria.dev/v1beta1', 'metrictemplates'),
      listOwn<MetricTemplate & KubernetesObject>('metrictemplates'),
      (obj) => o.onResource('metrictemplates', obj),
    ),
    alertProviders: watch<AlertProvider & KubernetesObject>(
      path('kanaria.dev/v1beta1', 'alertproviders'),
      listOwn<AlertProvider & KubernetesObject>('alertproviders'),
      (obj) => o.onResource('alertproviders', obj),
    ),
    hpas: watch(
      path('autoscaling/v2', 'horizontalpodautoscalers'),
      (page) =>
        ns
          ? kube.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: ns, ...page })
          : kube.autoscaling.listHorizontalPodAutoscalerForAllNamespaces(page),
      rel('HorizontalPodAutoscaler'),
    ),
    ...(httpRoutes ? { httpRoutes } : {}),
  };
  return { caches, watches, held, httpRouteWatch };
}
