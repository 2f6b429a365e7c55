import type { CanarySpec, HttpMatch, StringMatch } from '../api/types.ts';
import { MANAGED_BY_LABEL, ownerReference, type Owner } from '../resources/meta.ts';
import { hasBaseline, namesOf } from '../resources/names.ts';
import {
  GATEWAY_API_GROUP,
  HTTPROUTE_API_VERSION,
  type HTTPBackendRef,
  type HTTPRoute,
  type HTTPRouteMatch,
  type HTTPRouteRule,
  type HTTPValueMatch,
} from './httproute-types.ts';
import type { Routes } from './nginx.ts';

export interface HttpRouteInput {
  spec: CanarySpec;
  namespace: string;
  owner: Owner;
  routes: Routes;
  /** The release (status.revision): the value of the session affinity cookie, so it sticks to one release. */
  revision?: string;
}

export const DEFAULT_AFFINITY_MAX_AGE = 86_400;

/** The session affinity cookie's value for a release: letters and digits only, safe in a cookie and a regex. */
export function affinityValue(revision: string): string {
  return `k${revision.replace(/[^a-z0-9]/gi, '').slice(0, 16)}`;
}

const COOKIE_END = '(;|$)';
const cookieStart = (name: string) => `(^|;\\s*)${escapeRegex(name)}=`;

/** The Cookie header match of requests carrying the affinity cookie with `value`. */
function affinityMatch(cookieName: string, value: string): HTTPValueMatch {
  return {
    type: 'RegularExpression',
    name: 'Cookie',
    value: `${cookieStart(cookieName)}${value}${COOKIE_END}`,
  };
}

/** Whether a rule is the session affinity one (not A/B): its only condition is an affinity cookie. */
function isAffinityRule(rule: HTTPRouteRule, spec: CanarySpec): boolean {
  const name = spec.analysis.sessionAffinity?.cookieName;
  if (!name) return false;
  const start = cookieStart(name);
  const isAffinityValue = (v: string) =>
    v.startsWith(start) &&
    v.endsWith(COOKIE_END) &&
    /^k[a-zA-Z0-9]{1,16}$/.test(v.slice(start.length, -COOKIE_END.length));
  return (rule.matches ?? []).every(
    (m) => m.headers?.length === 1 && !m.queryParams?.length && isAffinityValue(m.headers[0].value),
  );
}

const ALL_PATHS = { type: 'PathPrefix', value: '/' } as const;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One header or query condition; Gateway API matches values exactly or by regular expression only. */
function valueMatch(name: string, m: StringMatch): HTTPValueMatch {
  if (m.exact !== undefined) return { type: 'Exact', name, value: m.exact };
  if (m.regex !== undefined) return { type: 'RegularExpression', name, value: m.regex };
  if (m.prefix !== undefined)
    return { type: 'RegularExpression', name, value: `^${escapeRegex(m.prefix)}.*` };
  return { type: 'RegularExpression', name, value: `.*${escapeRegex(m.suffix ?? '')}$` };
}

/**
 * A `cookie` condition keeps the meaning it has with ingress-nginx: `exact` names a cookie whose value
 * `always` selects the canary; `regex` is matched against the whole Cookie header.
 */
function headerMatch(name: string, m: StringMatch): HTTPValueMatch {
  if (name.toLowerCase() !== 'cookie') return valueMatch(name, m);
  if (m.exact !== undefined)
    return {
      type: 'RegularExpression',
      name: 'Cookie',
      value: `(^|;\\s*)${escapeRegex(m.exact)}=always(;|$)`,
    };
  return { ...valueMatch('Cookie', m), name: 'Cookie' };
}

/** The A/B conditions as HTTPRoute matches: all conditions of one entry at once, any entry. */
export function routeMatches(match: HttpMatch[] | undefined): HTTPRouteMatch[] {
  return (match ?? []).map((m) => {
    const headers = Object.entries(m.headers ?? {}).map(([n, v]) => headerMatch(n, v));
    const queryParams = Object.entries(m.queryParams ?? {}).map(([n, v]) => valueMatch(n, v));
    return {
      path: { ...ALL_PATHS },
      ...(headers.length ? { headers } : {}),
      ...(queryParams.length ? { queryParams } : {}),
    };
  });
}

function backend(name: string, port: number, weight: number): HTTPBackendRef {
  return { group: '', kind: 'Service', name, port, weight };
}

/**
 * The HTTPRoute named after the apex Service: a default rule splitting by weight between the primary
 * (100 - w) and canary (w) Services (with analysis.judge.baseline: primary 100 - 2w, baseline w, canary w
 * while w > 0), and, while A/B routes are in force, a rule before it sending the
 * requests that match `analysis.match` (or the header route of analysis.steps, beside the weight) to the canary.
 */
export function buildHttpRoute(input: HttpRouteInput): HTTPRoute {
  const { spec, routes } = input;
  const names = namesOf(spec);
  const port = spec.service.port;
  const weight = routes.match && !routes.rules ? 0 : Math.min(Math.max(routes.weight, 0), 100);
  const timeouts = spec.service.timeout ? { timeouts: { request: spec.service.timeout } } : {};
  const rules: HTTPRouteRule[] = [];
  const toCanary = [backend(names.primaryService, port, 0), backend(names.canaryService, port, 100)];
  if (routes.match)
    rules.push({
      matches: routeMatches(routes.rules ?? spec.analysis.match),
      backendRefs: toCanary,
      ...timeouts,
    });
  // Session affinity only while the canary has a weight: at 0 (a rollback) nobody stays on it.
  const affinity = spec.analysis.sessionAffinity;
  const sticky = affinity && input.revision && weight > 0 ? affinityValue(input.revision) : undefined;
  if (affinity && sticky)
    rules.push({
      matches: [{ path: { ...ALL_PATHS }, headers: [affinityMatch(affinity.cookieName, sticky)] }],
      backendRefs: toCanary,
      ...timeouts,
    });
  const canary = backend(names.canaryService, port, weight);
  if (affinity && sticky)
    canary.filters = [
      {
        type: 'ResponseHeaderModifier',
        responseHeaderModifier: {
          add: [
            {
              name: 'Set-Cookie',
              value: `${affinity.cookieName}=${sticky}; Max-Age=${affinity.maxAge ?? DEFAULT_AFFINITY_MAX_AGE}; Path=/`,
            },
          ],
        },
      },
    ];
  // A baseline gets the canary's weight, so both sides of a comparison see the same share of requests.
  const baseline = hasBaseline(spec) && weight > 0 ? Math.min(weight, 100 - weight) : 0;
  rules.push({
    matches: [{ path: { ...ALL_PATHS } }],
    backendRefs: [
      backend(names.primaryService, port, 100 - weight - baseline),
      ...(baseline > 0 ? [backend(names.baselineService, port, baseline)] : []),
      canary,
    ],
    ...timeouts,
  });
  const hosts = spec.service.hosts ?? [];
  return {
    apiVersion: HTTPROUTE_API_VERSION,
    kind: 'HTTPRoute',
    metadata: {
      name: names.apex,
      namespace: input.namespace,
      labels: { ...(spec.service.apex?.labels ?? {}), [MANAGED_BY_LABEL]: 'kanaria' },
      ...(spec.service.apex?.annotations ? { annotations: { ...spec.service.apex.annotations } } : {}),
      ownerReferences: [ownerReference(input.owner)],
    },
    spec: {
      parentRefs: (spec.service.gatewayRefs ?? []).map((r) => ({
        group: GATEWAY_API_GROUP,
        kind: 'Gateway',
        name: r.name,
        ...(r.namespace ? { namespace: r.namespace } : {}),
        ...(r.sectionName ? { sectionName: r.sectionName } : {}),
      })),
      ...(hosts.length ? { hostnames: [...hosts] } : {}),
      rules,
    },
  };
}

function isMatchRule(rule: HTTPRouteRule): boolean {
  return (rule.matches ?? []).some((m) => (m.headers?.length ?? 0) + (m.queryParams?.length ?? 0) > 0);
}

/** The canary's share of a rule's weights, in percent (Gateway API weights default to 1). */
function canaryShare(rule: HTTPRouteRule, canaryService: string): number {
  const refs = rule.backendRefs ?? [];
  const total = refs.reduce((sum, r) => sum + (r.weight ?? 1), 0);
  const canary = refs.filter((r) => r.name === canaryService).reduce((sum, r) => sum + (r.weight ?? 1), 0);
  return total > 0 ? Math.round((100 * canary) / total) : 0;
}

/** The routes an HTTPRoute carries now: the default rule's canary weight, and whether an A/B rule reaches the canary. */
export function routesOfHttpRoute(route: HTTPRoute | undefined, spec: CanarySpec): Routes | undefined {
  if (!route?.spec) return undefined;
  const { canaryService } = namesOf(spec);
  const rules = route.spec.rules ?? [];
  const weighted = rules.find((r) => !isMatchRule(r));
  const abRule = (r: HTTPRouteRule) => isMatchRule(r) && !isAffinityRule(r, spec);
  return {
    weight: weighted ? canaryShare(weighted, canaryService) : 0,
    match: rules.some((r) => abRule(r) && canaryShare(r, canaryService) > 0),
  };
}
