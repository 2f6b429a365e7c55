import type { Cache, Caches } from '../../../src/controller/caches.ts';
import type { KubernetesObject } from '../../../src/kube/types.ts';

function emptyCache<T extends KubernetesObject>(): Cache<T> {
  return { get: () => undefined, list: () => [] };
}

/**
 * Caches for an Applier driven by hand: every kind empty unless given, so that a test decides which live
 * object the applier sees (e.g. a stale copy, as a watch cache behind the API server would hold).
 */
export function applierCaches(given: Partial<Caches> = {}): Caches {
  return {
    canaries: emptyCache(),
    deployments: emptyCache(),
    services: emptyCache(),
    ingresses: emptyCache(),
    configMaps: emptyCache(),
    secrets: emptyCache(),
    hpas: emptyCache(),
    metricTemplates: emptyCache(),
    alertProviders: emptyCache(),
    ...given,
  } as Caches;
}
