/**
 * One interface for the providers that carry the canary route: the shell builds the desired route object
 * and reads the routes (and, where the provider reports it, readiness) back from the live one. The engine
 * never sees which provider is in use: it gets the routed weight and match, and a readiness, in its Snapshot.
 */
import type { CanarySpec, CanaryStatus } from '../api/types.ts';
import { GATEWAY_API_PROVIDER } from '../api/types.ts';
import type { KubernetesObject, V1Ingress } from '../kube/types.ts';
import type { Owner } from '../resources/meta.ts';
import { namesOf } from '../resources/names.ts';
import { buildHttpRoute, routesOfHttpRoute } from './gatewayapi.ts';
import type { HTTPRoute } from './httproute-types.ts';
import { buildCanaryIngress, DEFAULT_ANNOTATION_PREFIX, routesOf, type Routes } from './nginx.ts';
import { activeRouteKinds, routeKindOf, type RouteKind } from './migration.ts';
import { httpRouteReadiness, type RouteReadiness } from './route-status.ts';

export type { Routes } from './nginx.ts';
export type { RouteReadiness } from './route-status.ts';

export interface RouteInput {
  spec: CanarySpec;
  namespace: string;
  owner: Owner;
  routes: Routes;
  /** nginx: the Ingress named by spec.ingressRef, which the canary Ingress copies. */
  source?: V1Ingress;
  /** The release the routes are for (status.revision); gatewayapi:v1's session affinity cookie names it. */
  revision?: string;
}

export interface CanaryRouter {
  /** Kind of the route object, which tells the shell where to find the live one. */
  readonly kind: 'Ingress' | 'HTTPRoute';
  /** Which kind of route this router writes. */
  readonly routeKind: RouteKind;
  /**
   * An annotation that carries the weight alone: when it is all a step changes, the shell merge-patches it
   * instead of applying the whole object. Undefined when the weight lives elsewhere (HTTPRoute backendRefs).
   */
  readonly weightAnnotation?: string;
  /** Name of the route object Kanaria owns for the Canary; undefined when it has none. */
  routeName(spec: CanarySpec): string | undefined;
  /** The desired route object; undefined when it cannot be built yet (no source Ingress). */
  build(input: RouteInput): KubernetesObject | undefined;
  /** The routes the live object carries now; undefined when there is none. */
  routes(live: KubernetesObject | undefined, spec: CanarySpec): Routes | undefined;
  /** Whether the data plane took the route; undefined when the provider reports nothing (ingress-nginx). */
  readiness(
    live: KubernetesObject | undefined,
    spec: CanarySpec,
    namespace: string,
  ): RouteReadiness | undefined;
}

export interface RouterOptions {
  /** Annotation prefix of ingress-nginx. */
  prefix?: string;
  /** Ingress class for a canary Ingress whose source names none. */
  ingressClass?: string;
}

export function nginxRouter(options: RouterOptions = {}): CanaryRouter {
  const prefix = options.prefix ?? DEFAULT_ANNOTATION_PREFIX;
  return {
    kind: 'Ingress',
    routeKind: 'ingress',
    weightAnnotation: `${prefix}/canary-weight`,
    routeName: (spec) => namesOf(spec).canaryIngress,
    build: (input) => {
      if (!input.source) return undefined;
      const names = namesOf(input.spec);
      return buildCanaryIngress({
        source: input.source,
        apexService: names.apex,
        canaryService: names.canaryService,
        owner: input.owner,
        prefix,
        routes: input.routes,
        match: input.spec.analysis.match,
        ingressClass: options.ingressClass,
      });
    },
    routes: (live) => routesOf(live as V1Ingress | undefined, prefix),
    readiness: () => undefined,
  };
}

export const gatewayApiRouter: CanaryRouter = {
  kind: 'HTTPRoute',
  routeKind: 'gateway',
  routeName: (spec) => namesOf(spec).apex,
  build: (input) => buildHttpRoute(input),
  routes: (live, spec) => routesOfHttpRoute(live as HTTPRoute | undefined, spec),
  readiness: (live, spec, namespace) => httpRouteReadiness(live as HTTPRoute | undefined, spec, namespace),
};

export function isGatewayApi(spec: CanarySpec): boolean {
  return spec.provider === GATEWAY_API_PROVIDER;
}

export function routerOfKind(kind: RouteKind, options: RouterOptions = {}): CanaryRouter {
  return kind === 'gateway' ? gatewayApiRouter : nginxRouter(options);
}

/** The router of the Canary's provider. */
export function routerFor(spec: CanarySpec, options: RouterOptions = {}): CanaryRouter {
  return routerOfKind(routeKindOf(spec.provider), options);
}

/** The routers whose routes carry the Canary's traffic: its provider's, and while migrating the old one's. */
export function activeRouters(
  spec: CanarySpec,
  status: CanaryStatus | undefined,
  options: RouterOptions = {},
): CanaryRouter[] {
  return activeRouteKinds(spec, status).map((kind) => routerOfKind(kind, options));
}

/**
 * What the routes carry together, as the engine sees it: the highest canary weight and any header route,
 * so that "no traffic on the canary" holds only when it holds on every route (a route behind the others
 * is brought to the recorded routes by the applier on every pass).
 */
export function combinedRoutes(routes: (Routes | undefined)[]): Routes | undefined {
  const known = routes.filter((r): r is Routes => r !== undefined);
  if (known.length === 0) return undefined;
  return {
    weight: Math.max(...known.map((r) => r.weight)),
    match: known.some((r) => r.match),
  };
}
