/**
 * The Gateway API objects Traefik's Gateway provider serves in tests: a GatewayClass of its controller
 * and, per namespace, a Gateway whose HTTP listener has the port of Traefik's web entry point.
 */
import { statusCode, type Kube } from '../kube/client.ts';

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
export const TRAEFIK_GATEWAY_CONTROLLER = 'traefik.io/gateway-controller';
/** The GatewayClass traefikGateway() creates unless told another name. */
export const TRAEFIK_GATEWAY_CLASS = 'traefik';

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface TraefikGatewayOptions {
  namespace: string;
  /** Default `gateway`. */
  name?: string;
  /** Traefik's web entry point port (Traefik.webPort). */
  port: number;
  gatewayClassName?: string;
  /** The listener's `allowedRoutes`; default the API's (routes in the Gateway's namespace). */
  allowedRoutes?: Record<string, unknown>;
}

async function createUnlessExists(create: () => Promise<unknown>): Promise<void> {
  await create().catch((err: unknown) => {
    if (statusCode(err) !== 409) throw err;
  });
}

/** Creates the cluster-scoped GatewayClass of Traefik's controller unless it exists. */
export async function ensureTraefikGatewayClass(kube: Kube, name = TRAEFIK_GATEWAY_CLASS): Promise<void> {
  await createUnlessExists(() =>
    kube.custom.createClusterCustomObject({
      group: GATEWAY_GROUP,
      version: 'v1',
      plural: 'gatewayclasses',
      body: {
        apiVersion: `${GATEWAY_GROUP}/v1`,
        kind: 'GatewayClass',
        metadata: { name },
        spec: { controllerName: TRAEFIK_GATEWAY_CONTROLLER },
      },
    }),
  );
}

/**
 * The GatewayClass (unless it exists) and a Gateway in `namespace` with one HTTP listener `web` on
 * Traefik's web entry point port. Returns the Gateway's name.
 */
export async function traefikGateway(kube: Kube, options: TraefikGatewayOptions): Promise<string> {
  const className = options.gatewayClassName ?? TRAEFIK_GATEWAY_CLASS;
  const name = options.name ?? 'gateway';
  await ensureTraefikGatewayClass(kube, className);
  const listener = {
    name: 'web',
    port: options.port,
    protocol: 'HTTP',
    ...(options.allowedRoutes ? { allowedRoutes: options.allowedRoutes } : {}),
  };
  await kube.custom.createNamespacedCustomObject({
    group: GATEWAY_GROUP,
    version: 'v1',
    namespace: options.namespace,
    plural: 'gateways',
    body: {
      apiVersion: `${GATEWAY_GROUP}/v1`,
      kind: 'Gateway',
      metadata: { name },
      spec: { gatewayClassName: className, listeners: [listener] },
    },
  });
  return name;
}

/** The conditions of a Gateway API object's status (`status.conditions`), empty when it has none. */
export async function gatewayConditions(kube: Kube, namespace: string, name: string): Promise<Condition[]> {
  const gateway = (await kube.custom.getNamespacedCustomObject({
    group: GATEWAY_GROUP,
    version: 'v1',
    namespace,
    plural: 'gateways',
    name,
  })) as { status?: { conditions?: Condition[] } };
  return gateway.status?.conditions ?? [];
}

export interface RouteParentStatus {
  parentRef: { name: string; namespace?: string; sectionName?: string };
  controllerName: string;
  conditions: Condition[];
}

/** An HTTPRoute (gateway.networking.k8s.io/v1) as read, typed as far as the caller says. */
export async function readHttpRoute<Route>(kube: Kube, namespace: string, name: string): Promise<Route> {
  return (await kube.custom.getNamespacedCustomObject({
    group: GATEWAY_GROUP,
    version: 'v1',
    namespace,
    plural: 'httproutes',
    name,
  })) as Route;
}

/** An HTTPRoute's `status.parents` as its Gateways' controllers wrote them. */
export async function httpRouteParents(
  kube: Kube,
  namespace: string,
  name: string,
): Promise<RouteParentStatus[]> {
  const route = await readHttpRoute<{ status?: { parents?: RouteParentStatus[] } }>(kube, namespace, name);
  return route.status?.parents ?? [];
}
