/** Reads what `kanaria get canary` shows from the API server (or from watch caches in --watch). */
import type { Canary } from '../api/types.ts';
import { readCanary } from '../kube/canaries.ts';
import { statusCode, type Kube } from '../kube/client.ts';
import type { V1Deployment, V1Ingress, V1Service } from '../kube/types.ts';
import { MANAGED_BY_LABEL } from '../resources/meta.ts';
import { namesOf } from '../resources/names.ts';
import { GATEWAY_API_GROUP, type HTTPRoute } from '../router/httproute-types.ts';
import { isGatewayApi } from '../router/router.ts';
import type { CanaryObjects, EventInput } from './view.ts';

/** Reads that watch caches can answer instead of the API server. */
export interface CachedReads {
  canary(namespace: string, name: string): Canary | undefined;
  deployment(namespace: string, name: string): V1Deployment | undefined;
  ingress(namespace: string, name: string): V1Ingress | undefined;
  /** Events about the Canary `name`. */
  events(namespace: string, name: string): EventInput[];
}

/** The value, or undefined when the API server answers 404 (or 403: the user may not read it). */
async function optional<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    const code = statusCode(err);
    if (code === 404 || code === 403) return undefined;
    throw err;
  }
}

function ownedBy(uid: string | undefined) {
  return (o: { metadata?: { ownerReferences?: { uid: string; kind: string }[] } }) =>
    uid !== undefined &&
    (o.metadata?.ownerReferences ?? []).some((r) => r.kind === 'Canary' && r.uid === uid);
}

/** Events whose regarding object is a Canary (events.k8s.io/v1 or core/v1 field names). */
export function isCanaryEvent(e: EventInput & { regarding?: { kind?: string } }): boolean {
  return (e.regarding?.kind ?? 'Canary') === 'Canary';
}

/** The Canary and what it owns; undefined when the Canary does not exist. */
export async function loadCanaryObjects(
  kube: Kube,
  namespace: string,
  name: string,
  cached?: CachedReads,
): Promise<CanaryObjects | undefined> {
  const canary = cached ? cached.canary(namespace, name) : await readCanary(kube, namespace, name);
  if (!canary) return undefined;
  const names = namesOf(canary.spec);
  const deployment = (n: string) =>
    cached
      ? Promise.resolve(cached.deployment(namespace, n))
      : optional(() => kube.apps.readNamespacedDeployment({ name: n, namespace }));
  const labelSelector = `${MANAGED_BY_LABEL}=kanaria`;
  const owned = ownedBy(canary.metadata.uid);
  const [primary, target, services, canaryIngress, primaryHpa, configMaps, secrets, events, httpRoute] =
    await Promise.all([
      deployment(names.primary),
      deployment(names.target),
      Promise.all(
        [names.apex, names.primaryService, names.canaryService].map((n) =>
          optional(() => kube.core.readNamespacedService({ name: n, namespace })),
        ),
      ),
      names.canaryIngress === undefined
        ? undefined
        : cached
          ? cached.ingress(namespace, names.canaryIngress)
          : optional(() => kube.networking.readNamespacedIngress({ name: names.canaryIngress!, namespace })),
      names.primaryHpa === undefined
        ? undefined
        : optional(() =>
            kube.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: names.primaryHpa!, namespace }),
          ),
      optional(() => kube.core.listNamespacedConfigMap({ namespace, labelSelector })),
      optional(() => kube.core.listNamespacedSecret({ namespace, labelSelector })),
      cached
        ? { items: cached.events(namespace, name) }
        : optional(() =>
            kube.events.listNamespacedEvent({ namespace, fieldSelector: `regarding.name=${name}` }),
          ),
      isGatewayApi(canary.spec)
        ? optional(
            () =>
              kube.custom.getNamespacedCustomObject({
                group: GATEWAY_API_GROUP,
                version: 'v1',
                plural: 'httproutes',
                namespace,
                name: names.apex,
              }) as Promise<HTTPRoute>,
          )
        : undefined,
    ]);
  return {
    canary,
    primary,
    target,
    services: services.filter((s): s is V1Service => s !== undefined),
    canaryIngress,
    ...(httpRoute ? { httpRoute } : {}),
    primaryHpa,
    configs: [
      ...(configMaps?.items ?? [])
        .filter(owned)
        .map((c) => ({ kind: 'ConfigMap' as const, name: c.metadata?.name ?? '' })),
      ...(secrets?.items ?? [])
        .filter(owned)
        .map((s) => ({ kind: 'Secret' as const, name: s.metadata?.name ?? '' })),
    ],
    events: (events?.items ?? []).filter(isCanaryEvent),
  };
}
