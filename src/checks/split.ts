/**
 * The observed split: how many requests for the app the data plane sent to the canary during the last
 * interval, read from the same Prometheus series as the built-in metrics. The engine judges the counts
 * (src/engine/split.ts); this module only asks.
 */
import type { CheckResult } from '../engine/model.ts';
import {
  promqlLabel,
  TRAEFIK_INGRESS_NGINX_PROVIDER,
  traefikGatewayService,
  traefikIngressCanaryService,
  traefikNormalize,
  traefikPortPattern,
  type BuiltinQueryVars,
} from './metrics/builtin.ts';
import type { RouteKind } from '../router/migration.ts';
import { isMetricQueryError, type MetricProvider } from './metrics/provider.ts';

export const SPLIT_CHECK_NAME = 'observed-split';

export interface SplitQueries {
  /** Requests the canary served in the window. */
  canary: string;
  /** Requests for the app in the window: the canary's and the primary's, through any Ingress of the apex Service. */
  total: string;
}

/**
 * Requests counted between now and `window` ago: the difference of the summed counters. Unlike increase(),
 * this sees a series born inside the window (a canary's first requests create its series, and increase()
 * needs two samples of a series before it says anything), counted from zero. With `absentIsZero`, no series
 * at all is 0 requests (the canary's series exists only once the proxy sent it something).
 */
function counted(metric: string, selectors: string, window: string, absentIsZero: boolean): string {
  const now = `sum(${metric}{${selectors}})`;
  const before = `(sum(${metric}{${selectors}} offset ${window}) or vector(0))`;
  return `${absentIsZero ? `(${now} or vector(0))` : now} - ${before}`;
}

/**
 * ingress-nginx labels canary traffic with the main Ingress and its Service and names the canary upstream in
 * `canary`; every request to the apex Service, through any Ingress, carries `service="<apex>"`.
 * Traefik's ingress-nginx provider names a service `<ns>-<ingress>-<service>-<port>[-canary]`, so the apex
 * Service's requests through any Ingress match `<ns>-.+-<apex>-<port>(-canary)?`. Its Gateway provider names
 * a backend `httproute-<ns>-<route>-gw-…-svc-<ns>-<service>-<index>`: the canary is the `<apex>-canary`
 * backend of the Canary's HTTPRoute, the app all backends of the apex, primary and canary Services on any
 * HTTPRoute of the namespace. `route` says which of the Canary's routes is observed (one at a time: while
 * migrating, the two may briefly carry different weights).
 */
export function splitQueries(
  vars: Omit<BuiltinQueryVars, 'interval' | 'routes'> & { window: string; route?: RouteKind },
): SplitQueries {
  const w = vars.window;
  const traefik = vars.ingressController === 'traefik';
  if (traefik && vars.route === 'gateway') {
    const apex = vars.service ?? '';
    const canary = traefikGatewayService(vars.namespace, apex, [`${apex}-canary`]);
    // A baseline (analysis.judge.baseline) takes its share of the route's requests too.
    const anyRoute = traefikGatewayService(vars.namespace, undefined, [
      apex,
      `${apex}-primary`,
      `${apex}-baseline`,
      `${apex}-canary`,
    ]);
    return {
      canary: counted('traefik_service_requests_total', `service=~"${promqlLabel(canary)}"`, w, true),
      total: counted('traefik_service_requests_total', `service=~"${promqlLabel(anyRoute)}"`, w, false),
    };
  }
  if (vars.route === 'gateway')
    throw new Error(
      "the observed split reads Traefik's series of an HTTPRoute only (ingressController traefik)",
    );
  if (traefik) {
    const canaryService = traefikIngressCanaryService({ ...vars, interval: w });
    const apex = `${traefikNormalize(vars.service ?? '')}-${traefikPortPattern({ ...vars, interval: w })}`;
    const anyRoute = `${traefikNormalize(vars.namespace)}-.+-${apex}(-canary)?@${TRAEFIK_INGRESS_NGINX_PROVIDER}`;
    return {
      canary: counted('traefik_service_requests_total', `service=~"${promqlLabel(canaryService)}"`, w, true),
      total: counted('traefik_service_requests_total', `service=~"${promqlLabel(anyRoute)}"`, w, false),
    };
  }
  const ns = `namespace="${promqlLabel(vars.namespace)}"`;
  return {
    canary: counted(
      'nginx_ingress_controller_requests',
      `${ns},ingress="${promqlLabel(vars.ingress)}",canary!=""`,
      w,
      true,
    ),
    total: counted(
      'nginx_ingress_controller_requests',
      `${ns},service="${promqlLabel(vars.service ?? '')}"`,
      w,
      false,
    ),
  };
}

/**
 * The counts as a check result for the engine to judge (always `ok`: the engine decides), or a result
 * without counts when the data plane's series say nothing yet. Never throws, except with the abort reason.
 */
export async function observeSplit(
  provider: MetricProvider,
  queries: SplitQueries,
  signal?: AbortSignal,
): Promise<CheckResult> {
  const base = { kind: 'split' as const, name: SPLIT_CHECK_NAME, ok: true };
  try {
    const [canary, total] = await Promise.all([
      provider.runQuery(queries.canary, signal),
      provider.runQuery(queries.total, signal),
    ]);
    // A counter that went down (the proxy restarted) makes the window meaningless.
    if (canary < 0 || total < 0)
      return { ...base, message: 'observed split unknown: a request counter was reset' };
    const counts = { canary: Math.round(canary), total: Math.round(total) };
    // Counters scraped at slightly different moments can put the canary a request above the total.
    counts.total = Math.max(counts.total, counts.canary);
    return {
      ...base,
      message: `${counts.canary} of ${counts.total} requests reached the canary`,
      split: counts,
    };
  } catch (err) {
    signal?.throwIfAborted();
    const why = isMetricQueryError(err, 'ENOVALUES') ? 'no requests counted yet' : (err as Error).message;
    return { ...base, message: `observed split unknown: ${why}` };
  }
}
