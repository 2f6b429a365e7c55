/** The HTTPRoute Kanaria writes for an app (named after the apex Service), as far as the e2e tests read it. */
import type { Kube } from '../src/kube/client.ts';
import { readHttpRoute } from '../src/realproxy/gateway.ts';

export interface HttpRouteRule {
  matches?: { headers?: { name: string; value: string }[]; queryParams?: unknown[] }[];
  backendRefs?: { name: string; weight?: number }[];
}

/** The canary's share in percent of `[service, weight]` pairs. */
export function canaryShare(weights: readonly (readonly [string, number])[], canaryService: string): number {
  const total = weights.reduce((sum, [, w]) => sum + w, 0);
  const canary = weights.filter(([s]) => s === canaryService).reduce((sum, [, w]) => sum + w, 0);
  return total > 0 ? Math.round((100 * canary) / total) : 0;
}

/** The canary's share of a rule's weights in percent (Gateway API weights default to 1). */
export function ruleShare(rule: HttpRouteRule, canaryService: string): number {
  return canaryShare(
    (rule.backendRefs ?? []).map((r) => [r.name, r.weight ?? 1] as const),
    canaryService,
  );
}

/** Whether the rule matches on headers or query parameters (the weighted rule does not). */
export function hasConditions(rule: HttpRouteRule): boolean {
  return (rule.matches ?? []).some((m) => (m.headers?.length ?? 0) + (m.queryParams?.length ?? 0) > 0);
}

/** The route's rules; undefined when it cannot be read (not there yet). */
export async function httpRouteRules(
  kube: Kube,
  namespace: string,
  name: string,
): Promise<HttpRouteRule[] | undefined> {
  try {
    const route = await readHttpRoute<{ spec?: { rules?: HttpRouteRule[] } }>(kube, namespace, name);
    return route.spec?.rules ?? [];
  } catch {
    return undefined;
  }
}
