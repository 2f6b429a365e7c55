/**
 * What a running Traefik routes by, read from its JSON API: the ingress-nginx provider turns a main
 * Ingress with a canary Ingress into a `weighted` service `<ns>-<ingress>-<service>-<port>-wrr` whose
 * children are the primary backend and the canary backend (named like the primary with `-canary`), with
 * the canary weight Traefik applies.
 */

interface ApiService {
  name: string;
  type?: string;
  weighted?: { services?: { name: string; weight?: number }[] };
}

/** Every HTTP service Traefik runs, from its API. */
async function fetchServices(apiUrl: string): Promise<ApiService[]> {
  const res = await fetch(`${apiUrl}/http/services`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`traefik ${apiUrl}/http/services: ${res.status}`);
  return (await res.json()) as ApiService[];
}

/** How Traefik routes one Ingress of the ingress-nginx provider. */
export interface IngressRouting {
  /** The canary weight of each weighted service, by service name; empty when no canary is routed. */
  canaryWeights: Map<string, number>;
  /** Whether Traefik serves the Ingress's own (primary) backend at all. */
  primaryServed: boolean;
}

/**
 * What Traefik routes for the services whose name starts with `<namespace>-<ingress>-`. The provider
 * drops the canary (its weighted service and header router) while the canary Service has no
 * endpoints, so after a rollback that scales the canary down it may route by the primary alone.
 */
export async function ingressRouting(
  apiUrl: string,
  namespace: string,
  ingress: string,
): Promise<IngressRouting> {
  const canaryWeights = new Map<string, number>();
  let primaryServed = false;
  for (const service of await fetchServices(apiUrl)) {
    if (!service.name.startsWith(`${namespace}-${ingress}-`)) continue;
    if (service.type !== 'weighted') {
      if (!service.name.replace(/@.*$/, '').endsWith('-canary')) primaryServed = true;
      continue;
    }
    const canary = service.weighted?.services?.find((s) => s.name.endsWith('-canary'));
    if (canary) canaryWeights.set(service.name, canary.weight ?? 0);
  }
  return { canaryWeights, primaryServed };
}

/**
 * Whether Traefik routes the Ingress by canary weight `weight`: every weighted service at that weight,
 * or, for weight 0, the primary served with no canary at all.
 */
export async function routesIngressAt(
  apiUrl: string,
  namespace: string,
  ingress: string,
  weight: number,
): Promise<boolean> {
  const routing = await ingressRouting(apiUrl, namespace, ingress);
  const weights = [...routing.canaryWeights.values()];
  if (weights.length === 0) return weight === 0 && routing.primaryServed;
  return weights.every((w) => w === weight);
}

/** One rule of an HTTPRoute as Traefik's Gateway provider runs it: its weighted service's backends. */
export interface GatewayRuleWeights {
  /** The weighted service, `httproute-<ns>-<route>-gw-<ns>-<gateway>-ep-<entrypoint>-<rule>-<hash>-wrr…`. */
  name: string;
  /** The rule's index in the HTTPRoute. */
  rule: number;
  /** Weight by Kubernetes Service name, for each backend Traefik lists. */
  weights: Map<string, number>;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The weighted services Traefik's Gateway provider made of HTTPRoute `route` (in `namespace`) on the
 * Gateway `gateway` of the same namespace and entry point `entryPoint`: one per rule (per match of a
 * rule with several), empty while Traefik does not serve the route.
 */
export async function gatewayRouteWeights(
  apiUrl: string,
  namespace: string,
  route: string,
  { gateway = 'gateway', entryPoint = 'web' } = {},
): Promise<GatewayRuleWeights[]> {
  const ns = escapeRegex(namespace);
  const wrr = new RegExp(
    `^httproute-${ns}-${escapeRegex(route)}-gw-${ns}-${escapeRegex(gateway)}-ep-${escapeRegex(entryPoint)}-(\\d+)-[0-9a-f]{20}-wrr(@|$)`,
  );
  const backend = new RegExp(`-svc-${ns}-(.+)-\\d+(@[a-z]+)?$`);
  const rules: GatewayRuleWeights[] = [];
  for (const service of await fetchServices(apiUrl)) {
    const m = wrr.exec(service.name);
    if (service.type !== 'weighted' || !m) continue;
    const weights = new Map<string, number>();
    for (const child of service.weighted?.services ?? []) {
      const svc = backend.exec(child.name)?.[1];
      if (svc) weights.set(svc, (weights.get(svc) ?? 0) + (child.weight ?? 1));
    }
    rules.push({ name: service.name, rule: Number(m[1]), weights });
  }
  return rules.sort((a, b) => a.rule - b.rule);
}
