import { inject } from 'vitest';
import type { Kube } from '../../src/kube/client.ts';
import { GATEWAY_GROUP } from '../../src/realproxy/gateway.ts';
import { processCounters } from '../../src/realproxy/pod-counts.ts';

export { app } from './helpers.ts';

export interface RouteRule {
  matches?: { headers?: { name: string; value: string }[] }[];
  backendRefs: { name: string; port: number; weight?: number }[];
}

export async function httpRoute(
  kube: Kube,
  namespace: string,
  name: string,
  hostname: string,
  parentRef: { name: string; sectionName?: string },
  rules: RouteRule[],
): Promise<void> {
  await kube.custom.createNamespacedCustomObject({
    group: GATEWAY_GROUP,
    version: 'v1',
    namespace,
    plural: 'httproutes',
    body: {
      apiVersion: `${GATEWAY_GROUP}/v1`,
      kind: 'HTTPRoute',
      metadata: { name },
      spec: { parentRefs: [parentRef], hostnames: [hostname], rules },
    },
  });
}

export interface AppTally {
  requests: number;
  /** Requests that carried each header name (lower case). */
  headers: Record<string, number>;
}

/** What each app's pod processes counted (by their `app` label), totals that never go down. */
export async function appTallies(namespace: string): Promise<Record<string, AppTally>> {
  const tallies: Record<string, AppTally> = {};
  for (const { labels, counters } of await processCounters(inject('podRunnerUrl'), namespace)) {
    const t = (tallies[labels.app] ??= { requests: 0, headers: {} });
    t.requests += counters.requests;
    for (const [h, n] of Object.entries(counters.headerNames)) t.headers[h] = (t.headers[h] ?? 0) + n;
  }
  return tallies;
}

export function tallyDelta(after: AppTally | undefined, before: AppTally | undefined): AppTally {
  const headers: Record<string, number> = {};
  for (const [h, n] of Object.entries(after?.headers ?? {})) headers[h] = n - (before?.headers[h] ?? 0);
  return { requests: (after?.requests ?? 0) - (before?.requests ?? 0), headers };
}

/** traefik_service_requests_total summed by its `service` label, for services of the Gateway provider. */
export async function gatewayServiceRequests(metricsUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(metricsUrl)).text();
  const byService = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('traefik_service_requests_total{')) continue;
    const service = /service="([^"]+@kubernetesgateway)"/.exec(line)?.[1];
    if (!service) continue;
    byService.set(service, (byService.get(service) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return byService;
}

export async function promQuery(prometheusUrl: string, query: string): Promise<unknown> {
  const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
  if (!res.ok) throw new Error(`prometheus ${query}: ${res.status} ${await res.text()}`);
  return res.json();
}
