/** Validation of how a Canary routes: the provider's own fields and the A/B match conditions it can express. */
import { joinPath, type ValidationIssue } from './schema-check.ts';
import type { CanaryAnalysis, CanarySpec, HttpMatch } from './types.ts';
import { GATEWAY_API_PROVIDER } from './types.ts';
import { BUILTIN_METRICS } from './schema.ts';

const ANALYSIS = 'spec.analysis';

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function list<T>(value: T[] | undefined): T[] {
  return Array.isArray(value) ? value : [];
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function headerIssues(name: string, m: Record<string, unknown>, field: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const has = (key: string) => typeof m[key] === 'string';
  if (typeof m.prefix === 'string') {
    issues.push({
      field: `${field}.prefix`,
      message: `prefix matching is not supported by ingress-nginx: use regex: ${JSON.stringify(`^${escapeRegex(m.prefix)}.*`)} instead`,
    });
  }
  if (typeof m.suffix === 'string') {
    issues.push({
      field: `${field}.suffix`,
      message: `suffix matching is not supported by ingress-nginx: use regex: ${JSON.stringify(`.*${escapeRegex(m.suffix)}$`)} instead`,
    });
  }
  if (name.toLowerCase() === 'cookie') {
    if (!has('exact') || has('regex')) {
      issues.push({
        field,
        message:
          'ingress-nginx selects the canary by cookie name only: set exact to the cookie name (and no regex); requests whose cookie is "always" go to the canary',
      });
    }
  } else if (has('exact') && has('regex')) {
    issues.push({
      field,
      message:
        'sets both exact and regex, but ingress-nginx uses one per header: keep exact for one value or regex for a pattern',
    });
  }
  return issues;
}

function conditions(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

export function matchIssues(a: CanaryAnalysis, provider: unknown): ValidationIssue[] {
  const matches = list<HttpMatch>(a.match);
  return [...matchListIssues(matches, `${ANALYSIS}.match`, provider), ...iterationIssues(a, matches)];
}

/** Issues of header/cookie (and gatewayapi:v1 query) conditions at `field`, for what the provider can route on. */
export function matchListIssues(matches: HttpMatch[], field: string, provider: unknown): ValidationIssue[] {
  if (provider === GATEWAY_API_PROVIDER) return gatewayMatchIssues(matches, field);
  const issues: ValidationIssue[] = [];
  const first: { header?: string; cookie?: string } = {};
  matches.forEach((match, i) => {
    const headers = conditions(match?.headers);
    const path = `${field}[${i}]`;
    if (Object.keys(headers).length === 0) {
      issues.push({
        field: path,
        message:
          'has no header conditions: add headers (e.g. x-canary: {exact: insider}) or remove the entry',
      });
    }
    if (Object.keys(conditions(match?.queryParams)).length > 0) {
      issues.push({
        field: `${path}.queryParams`,
        message:
          'query parameter matching is not supported by ingress-nginx: match on a header or cookie, or use provider gatewayapi:v1',
      });
    }
    for (const [name, m] of Object.entries(headers)) {
      const field = joinPath(`${path}.headers`, name);
      const slot = name.toLowerCase() === 'cookie' ? 'cookie' : 'header';
      const earlier = first[slot];
      if (earlier === undefined) {
        first[slot] = field;
      } else {
        issues.push({
          field,
          message:
            slot === 'cookie'
              ? `is a second cookie condition (after ${earlier}): an ingress-nginx canary can route on one cookie only; keep one`
              : `is a second header condition (after ${earlier}): an ingress-nginx canary can route on only one header (plus one cookie); keep one header, e.g. with a regex that covers both values`,
        });
      }
      if (m && typeof m === 'object') issues.push(...headerIssues(name, m as Record<string, unknown>, field));
    }
  });
  return issues;
}

function iterationIssues(a: CanaryAnalysis, matches: HttpMatch[]): ValidationIssue[] {
  if (matches.length === 0 || (isNumber(a.iterations) && a.iterations > 0)) return [];
  return [
    {
      field: `${ANALYSIS}.iterations`,
      message:
        'must be more than 0 when match is set: A/B testing analyses the matched requests for a number of iterations; set iterations, e.g. 10',
    },
  ];
}

/** An HTTPRoute match holds several headers and query parameters at once; each value has one match type. */
function gatewayMatchIssues(matches: HttpMatch[], field: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  matches.forEach((match, i) => {
    const path = `${field}[${i}]`;
    const kinds = { headers: conditions(match?.headers), queryParams: conditions(match?.queryParams) };
    if (Object.keys(kinds.headers).length + Object.keys(kinds.queryParams).length === 0) {
      issues.push({
        field: path,
        message:
          'has no conditions: add headers (e.g. x-canary: {exact: insider}) or queryParams, or remove the entry',
      });
    }
    for (const [kind, entries] of Object.entries(kinds))
      for (const [name, m] of Object.entries(entries)) {
        const types = Object.keys(conditions(m)).filter((k) => typeof conditions(m)[k] === 'string');
        if (types.length > 1)
          issues.push({
            field: joinPath(`${path}.${kind}`, name),
            message: `sets ${types.join(' and ')}, but an HTTPRoute match has one type per value: keep one`,
          });
      }
  });
  return issues;
}

/** Fields that belong to one provider only, and those a provider needs. */
export function providerIssues(spec: CanarySpec): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const service = conditions(spec.service);
  if (spec.provider === GATEWAY_API_PROVIDER) {
    if (list(service.gatewayRefs as unknown[]).length === 0)
      issues.push({
        field: 'spec.service.gatewayRefs',
        message:
          'is required for provider gatewayapi:v1: name the Gateway the HTTPRoute attaches to, e.g. [{name: public-gateway, namespace: gateway-system}]',
      });
    // ingressRef next to gatewayapi:v1 is a migration off the canary Ingress (src/router/migration.ts).
    if (spec.ingressController !== 'traefik')
      list(spec.analysis?.metrics).forEach((m, i) => {
        if (m && (BUILTIN_METRICS as readonly string[]).includes(m.name) && !m.templateRef && !m.query)
          issues.push({
            field: `${ANALYSIS}.metrics[${i}].name`,
            message: `the built-in ${m.name} reads the series of Traefik's Gateway provider only: set spec.ingressController: traefik when Traefik serves the Gateway, or reference a MetricTemplate with your Gateway's query (docs/metric-templates-gateway-api.md)`,
          });
      });
    return issues;
  }
  // An unknown provider is the schema's issue; the fields it would need are not judged.
  if (spec.provider !== undefined && spec.provider !== 'nginx') return issues;
  if (spec.analysis?.sessionAffinity !== undefined)
    issues.push({
      field: `${ANALYSIS}.sessionAffinity`,
      message:
        'needs provider gatewayapi:v1 (a cookie rule on the HTTPRoute); the nginx provider cannot keep a user on the canary: remove it',
    });
  // gatewayRefs next to nginx is a migration off the HTTPRoute, which keeps its hosts and timeout meanwhile.
  if (list(service.gatewayRefs as unknown[]).length > 0) return issues;
  for (const field of ['hosts', 'timeout'])
    if (service[field] !== undefined)
      issues.push({
        field: `spec.service.${field}`,
        message: `is used by provider gatewayapi:v1 only: set spec.provider: gatewayapi:v1 (with service.gatewayRefs) or remove it (the nginx provider takes hosts and timeouts from the Ingress)`,
      });
  return issues;
}
