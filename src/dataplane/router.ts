/**
 * Part of the SIMULATED ingress-nginx data plane used by tests and the demo (no real NGINX runs):
 * the canary routing decision, pure.
 *
 * It follows ingress-nginx's balancer (`route_to_alternative_balancer` in rootfs/etc/nginx/lua/balancer.lua):
 *  1. header `canary-by-header` present:
 *     - with `canary-by-header-value`: equal value → canary, anything else falls through;
 *     - else with `canary-by-header-pattern`: regex match → canary, no match falls through, a bad
 *       regex → primary;
 *     - else `always` → canary, `never` → primary, anything else falls through;
 *  2. cookie `canary-by-cookie` present: `always` → canary, `never` → primary, else falls through;
 *  3. weight: canary when a uniform draw from 1..weightTotal is ≤ `canary-weight`.
 * An Ingress without `canary: "true"` is not a canary, so everything goes to the primary.
 */
import { DEFAULT_ANNOTATION_PREFIX } from '../router/nginx.ts';

export type RouteTarget = 'primary' | 'canary';

export interface CanaryRules {
  weight: number;
  /** `canary-weight-total`, default 100. */
  weightTotal: number;
  header?: string;
  headerValue?: string;
  headerPattern?: string;
  cookie?: string;
}

export interface SimulatedRequest {
  /** Header names are matched case-insensitively. */
  headers?: Record<string, string | undefined>;
  cookies?: Record<string, string | undefined>;
}

function int(value: string | undefined, fallback: number): number {
  if (value === undefined || !/^\s*-?\d+\s*$/.test(value)) return fallback;
  return parseInt(value, 10);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** The routing rules of a canary Ingress's annotations; undefined when it is not a canary. */
export function canaryRules(
  annotations: Record<string, string> | undefined,
  prefix: string = DEFAULT_ANNOTATION_PREFIX,
): CanaryRules | undefined {
  const a = annotations ?? {};
  const get = (key: string) => a[`${prefix}/${key}`];
  if (get('canary')?.trim().toLowerCase() !== 'true') return undefined;
  const total = int(get('canary-weight-total'), 100);
  return {
    weight: int(get('canary-weight'), 0),
    weightTotal: total > 100 ? total : 100,
    header: nonEmpty(get('canary-by-header')),
    headerValue: nonEmpty(get('canary-by-header-value')),
    headerPattern: nonEmpty(get('canary-by-header-pattern')),
    cookie: nonEmpty(get('canary-by-cookie')),
  };
}

/** Parses a `Cookie:` header into name → value (first occurrence wins, as NGINX's $cookie_ does). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !(name in out)) out[name] = part.slice(eq + 1).trim();
  }
  return out;
}

function header(req: SimulatedRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(req.headers ?? {}))
    if (k.toLowerCase() === wanted && v !== undefined) return v;
  return undefined;
}

function cookie(req: SimulatedRequest, name: string): string | undefined {
  const own = req.cookies?.[name];
  if (own !== undefined) return own;
  return parseCookies(header(req, 'cookie'))[name];
}

/** Where ingress-nginx would send this request; `random` returns numbers in [0, 1). */
export function route(
  rules: CanaryRules | undefined,
  req: SimulatedRequest,
  random: () => number,
): RouteTarget {
  if (!rules) return 'primary';
  if (rules.header) {
    const value = header(req, rules.header);
    if (value !== undefined) {
      if (rules.headerValue) {
        if (value === rules.headerValue) return 'canary';
      } else if (rules.headerPattern) {
        let re: RegExp;
        try {
          re = new RegExp(rules.headerPattern);
        } catch {
          return 'primary';
        }
        if (re.test(value)) return 'canary';
      } else if (value === 'always') {
        return 'canary';
      } else if (value === 'never') {
        return 'primary';
      }
    }
  }
  if (rules.cookie) {
    const value = cookie(req, rules.cookie);
    if (value === 'always') return 'canary';
    if (value === 'never') return 'primary';
  }
  const draw = Math.floor(random() * rules.weightTotal) + 1; // math.random(weightTotal): 1..weightTotal
  return draw <= rules.weight ? 'canary' : 'primary';
}
