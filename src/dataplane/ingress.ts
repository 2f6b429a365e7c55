/**
 * Part of the SIMULATED ingress-nginx data plane used by tests and the demo (no real NGINX runs):
 * what the data plane reads from the main Ingress and its canary Ingress, pure.
 *
 * As in ingress-nginx, the canary Ingress's backend becomes an alternative upstream of the main
 * Ingress's location: requests keep the main Ingress's namespace, name, Service and path as labels,
 * and canary traffic is labelled with the canary upstream name.
 */
import type { V1Ingress, V1IngressBackend } from '../kube/types.ts';
import { upstreamName } from './exporter.ts';
import { canaryRules, type CanaryRules } from './router.ts';

export interface Location {
  namespace: string;
  /** The main Ingress. */
  ingress: string;
  /** The main Ingress's backend Service. */
  service: string;
  path: string;
  /** The rule's host, `_` for a catch-all rule. */
  host: string;
}

export interface RouteView {
  location: Location;
  /** Undefined when there is no canary Ingress or it is not marked `canary: "true"`. */
  rules?: CanaryRules;
  /** `$proxy_alternative_upstream_name` of canary traffic, e.g. `test-podinfo-canary-9898`. */
  canaryUpstream?: string;
}

interface Backend {
  host: string;
  path: string;
  backend: V1IngressBackend;
}

function backends(ingress: V1Ingress): Backend[] {
  const out: Backend[] = [];
  for (const rule of ingress.spec?.rules ?? [])
    for (const p of rule.http?.paths ?? [])
      out.push({ host: rule.host || '_', path: p.path || '/', backend: p.backend });
  if (ingress.spec?.defaultBackend) out.push({ host: '_', path: '/', backend: ingress.spec.defaultBackend });
  return out.filter((b) => b.backend.service?.name);
}

function portOf(backend: V1IngressBackend): number | string {
  return backend.service?.port?.number ?? backend.service?.port?.name ?? 80;
}

/**
 * The location the data plane serves for `main` (its first rule path with a Service backend) and the
 * canary routing from `canary`; undefined when `main` routes to no Service.
 */
export function routeView(
  main: V1Ingress | undefined,
  canary: V1Ingress | undefined,
  prefix?: string,
): RouteView | undefined {
  if (!main) return undefined;
  const [first] = backends(main);
  if (!first) return undefined;
  const namespace = main.metadata?.namespace ?? 'default';
  const location: Location = {
    namespace,
    ingress: main.metadata?.name ?? '',
    service: first.backend.service!.name,
    path: first.path,
    host: first.host,
  };
  const rules = canary ? canaryRules(canary.metadata?.annotations, prefix) : undefined;
  if (!canary || !rules) return { location };
  const candidates = backends(canary);
  const alt =
    candidates.find((b) => b.host === first.host && b.path === first.path) ??
    candidates.find((b) => b.path === first.path) ??
    candidates[0];
  if (!alt) return { location };
  return {
    location,
    rules,
    canaryUpstream: upstreamName(namespace, alt.backend.service!.name, portOf(alt.backend)),
  };
}
