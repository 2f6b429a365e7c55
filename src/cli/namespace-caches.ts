import type { Canary } from '../api/types.ts';
import { canariesPath, type EventsV1Event } from '../kube/canaries.ts';
import type { Kube } from '../kube/client.ts';
import { watchCache, type WatchCache } from '../kube/informer.ts';
import type { KubernetesObject, V1Deployment, V1Ingress } from '../kube/types.ts';
import { createLogger } from '../observability/logger.ts';

/** Watch caches of the namespace's Canaries, Deployments, Ingresses and Events. */
export function namespaceCaches(kube: Kube, namespace: string, onChange: (obj: KubernetesObject) => void) {
  const log = createLogger('warn', process.stderr);
  const caches = {
    canaries: watchCache<Canary & KubernetesObject>(
      kube.kc,
      canariesPath(namespace),
      () =>
        kube.custom.listNamespacedCustomObject({
          group: 'kanaria.dev',
          version: 'v1beta1',
          plural: 'canaries',
          namespace,
        }) as Promise<{ items: (Canary & KubernetesObject)[] }>,
      onChange,
      log,
    ),
    deployments: watchCache<V1Deployment>(
      kube.kc,
      `/apis/apps/v1/namespaces/${namespace}/deployments`,
      () => kube.apps.listNamespacedDeployment({ namespace }),
      onChange,
      log,
    ),
    ingresses: watchCache<V1Ingress>(
      kube.kc,
      `/apis/networking.k8s.io/v1/namespaces/${namespace}/ingresses`,
      () => kube.networking.listNamespacedIngress({ namespace }),
      onChange,
      log,
    ),
    events: watchCache<EventsV1Event>(
      kube.kc,
      `/apis/events.k8s.io/v1/namespaces/${namespace}/events`,
      () => kube.events.listNamespacedEvent({ namespace }),
      onChange,
      log,
    ),
  };
  const all: WatchCache<KubernetesObject>[] = Object.values(caches) as WatchCache<KubernetesObject>[];
  return {
    caches,
    synced: Promise.all(all.map((c) => c.synced)),
    stop: () => Promise.all(all.map((c) => c.stop())),
  };
}

export type NamespaceCaches = ReturnType<typeof namespaceCaches>;
