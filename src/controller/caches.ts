import type { KubernetesObject } from '../kube/types.ts';
import type {
  V1ConfigMap,
  V1Deployment,
  V1Ingress,
  V1Secret,
  V1Service,
  V2HorizontalPodAutoscaler,
} from '../kube/types.ts';
import type { AlertProvider, Canary, MetricTemplate } from '../api/types.ts';
import type { HTTPRoute } from '../router/httproute-types.ts';
import type { CanaryIndex } from './canary-index.ts';

/** Read access to one watch cache. */
export interface Cache<T extends KubernetesObject> {
  get(name: string, namespace?: string): T | undefined;
  list(namespace?: string): ReadonlyArray<T>;
}

/** Every watch cache the reconciler reads from; reconciles never GET from the API server. */
export interface Caches {
  canaries: Cache<Canary & KubernetesObject>;
  deployments: Cache<V1Deployment>;
  services: Cache<V1Service>;
  ingresses: Cache<V1Ingress>;
  configMaps: Cache<V1ConfigMap>;
  secrets: Cache<V1Secret>;
  hpas: Cache<V2HorizontalPodAutoscaler>;
  /** Gateway API HTTPRoutes; absent when the cluster has no HTTPRoute resource. */
  httpRoutes?: Cache<HTTPRoute>;
  metricTemplates: Cache<MetricTemplate & KubernetesObject>;
  alertProviders: Cache<AlertProvider & KubernetesObject>;
  /** Which Canaries name which objects; without it, lookups go through every Canary of the namespace. */
  canaryIndex?: CanaryIndex;
}
