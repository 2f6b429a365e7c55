/**
 * How many requests a route of the Canary has served in all, from the data plane's request counters: a
 * migration retires the old route once this count stops moving (src/router/migration.ts).
 */
import type { Canary, CanarySpec } from '../api/types.ts';
import { DEFAULT_PORT_NAME } from '../api/defaults.ts';
import type { RouteKind } from '../router/migration.ts';
import {
  promqlLabel,
  TRAEFIK_GATEWAY_PROVIDER,
  traefikIngressCanaryService,
  traefikNormalize,
} from './metrics/builtin.ts';
import { createProvider, isMetricQueryError, type MetricProvider } from './metrics/provider.ts';

export interface RouteRequests {
  /** The counter's value; undefined when it cannot be read. */
  count?: number;
  unknownBecause?: string;
}

/**
 * The PromQL summing every request counter of the route, or why there is none. The canary Ingress's path is
 * the Ingress it copies (ingress-nginx labels both with the original Ingress; Traefik names the services of
 * both after it); the HTTPRoute's is every backend of Kanaria's HTTPRoute on Traefik's Gateway provider.
 */
export function routeRequestsQuery(
  spec: CanarySpec,
  namespace: string,
  kind: RouteKind,
): { query?: string; unknownBecause?: string } {
  const apex = spec.service.name ?? spec.targetRef.name;
  const traefik = spec.ingressController === 'traefik';
  if (kind === 'gateway') {
    if (!traefik)
      return {
        unknownBecause:
          "an HTTPRoute's requests are counted from Traefik's series only (spec.ingressController: traefik)",
      };
    const route = `httproute-${traefikNormalize(namespace)}-${traefikNormalize(apex)}-gw-.+@${TRAEFIK_GATEWAY_PROVIDER}`;
    return { query: `sum(traefik_service_requests_total{service=~"${promqlLabel(route)}"})` };
  }
  const ingress = spec.ingressRef?.name;
  if (!ingress) return { unknownBecause: 'the Canary names no Ingress' };
  if (traefik) {
    const canary = traefikIngressCanaryService({
      namespace,
      ingress,
      service: apex,
      port: spec.service.port,
      portName: spec.service.portName || DEFAULT_PORT_NAME,
      interval: '1m',
    });
    const either = canary.replace(/-canary@/, '(-canary)?@');
    return { query: `sum(traefik_service_requests_total{service=~"${promqlLabel(either)}"})` };
  }
  return {
    query: `sum(nginx_ingress_controller_requests{namespace="${promqlLabel(namespace)}",ingress="${promqlLabel(ingress)}"})`,
  };
}

/**
 * Reads the route's request count. No series at all counts as 0 for the canary Ingress (retiring it sends
 * its path's requests to the primary, it never cuts the path) but as unknown for the HTTPRoute (retiring
 * it cuts the Gateway's path, so it takes evidence that nobody uses it). Rejects only with the abort reason.
 */
export async function countRouteRequests(
  provider: MetricProvider,
  spec: CanarySpec,
  namespace: string,
  kind: RouteKind,
  signal?: AbortSignal,
): Promise<RouteRequests> {
  const { query, unknownBecause } = routeRequestsQuery(spec, namespace, kind);
  if (!query) return { unknownBecause };
  try {
    return { count: Math.round(await provider.runQuery(query, signal)) };
  } catch (err) {
    signal?.throwIfAborted();
    if (isMetricQueryError(err, 'ENOVALUES'))
      return kind === 'ingress' ? { count: 0 } : { unknownBecause: 'no request of it was ever counted' };
    return { unknownBecause: (err as Error).message };
  }
}

/** Counts from the Canary's Prometheus (spec.metricsServer, else the operator's). */
export function createRouteRequestCounter(defaultPrometheus: string | undefined, clock: () => number) {
  return (
    canary: Canary,
    spec: CanarySpec,
    kind: RouteKind,
    signal?: AbortSignal,
  ): Promise<RouteRequests> => {
    const address = spec.metricsServer ?? defaultPrometheus;
    if (!address)
      return Promise.resolve({
        unknownBecause:
          'no Prometheus: set spec.metricsServer on the Canary or --metrics-server on the operator',
      });
    const provider = createProvider({ type: 'prometheus', address }, { now: clock });
    return countRouteRequests(provider, spec, canary.metadata.namespace!, kind, signal);
  };
}
