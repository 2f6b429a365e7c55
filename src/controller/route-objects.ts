import type { Canary, CanarySpec } from '../api/types.ts';
import type { KubernetesObject } from '../kube/types.ts';
import { MANAGED_BY_LABEL } from '../resources/meta.ts';
import type { RouteKind } from '../router/migration.ts';
import type { CanaryRouter } from '../router/router.ts';
import type { Caches } from './caches.ts';
import type { Problem } from './snapshot.ts';

/** The live route object of the Canary's router, from the watch cache of its kind. */
export function liveRoute(
  router: CanaryRouter,
  caches: Caches,
  spec: CanarySpec,
  namespace: string,
): KubernetesObject | undefined {
  const name = router.routeName(spec);
  if (!name) return undefined;
  return router.kind === 'Ingress'
    ? caches.ingresses.get(name, namespace)
    : caches.httpRoutes?.get(name, namespace);
}

/** Whether Kanaria made the route object for this Canary (label and owner reference). */
export function ownedRoute(live: KubernetesObject, canary: Canary): boolean {
  return (
    live.metadata?.labels?.[MANAGED_BY_LABEL] === 'kanaria' &&
    (live.metadata.ownerReferences ?? []).some((r) => r.kind === 'Canary' && r.uid === canary.metadata.uid)
  );
}

/** Why a Canary routing by HTTPRoute cannot have it: no Gateway API in the cluster, or a route someone else owns. */
export function gatewayRouteProblem(
  canary: Canary,
  spec: CanarySpec,
  caches: Caches,
  kinds: RouteKind[],
): Problem | undefined {
  if (!kinds.includes('gateway')) return undefined;
  const ns = canary.metadata.namespace!;
  if (!caches.httpRoutes)
    return {
      reason: 'GatewayAPINotInstalled',
      message:
        'provider gatewayapi:v1 needs the Gateway API HTTPRoute resource (gateway.networking.k8s.io/v1), which the API server does not serve (or the controller may not list): install the Gateway API CRDs (the controller looks for them every 30 s) and grant it httproutes, or use provider nginx',
    };
  const name = spec.service.name ?? spec.targetRef.name;
  const live = caches.httpRoutes.get(name, ns);
  if (!live || ownedRoute(live, canary)) return undefined;
  return {
    reason: 'HTTPRouteNotOwned',
    message: `HTTPRoute ${name} in namespace ${ns} exists and is not managed by this Canary: Kanaria creates the HTTPRoute named after the apex Service; rename or delete yours, or set spec.service.name`,
  };
}
