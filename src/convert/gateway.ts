/** Rules for the parts of a Flagger Canary that differ with provider gatewayapi (Gateway API HTTPRoute). */
import { OMIT, type Rule, drop, isEmpty, isRecord, keep, list, object, record, warn } from './schema.ts';

export const GATEWAY_API_PROVIDER = 'gatewayapi:v1';

/** Flagger's Gateway API provider names: `gatewayapi:v1`, and the older `gatewayapi:v1beta1`. */
export function isGatewayProvider(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith('gatewayapi');
}

/** The HTTPRoute Kanaria writes is gateway.networking.k8s.io/v1 whatever version Flagger's provider named. */
export const gatewayProvider: Rule = (value, path, ctx) => {
  if (value !== GATEWAY_API_PROVIDER)
    warn(
      ctx,
      path,
      `${String(value)} becomes ${GATEWAY_API_PROVIDER}: Kanaria writes HTTPRoutes of gateway.networking.k8s.io/v1`,
    );
  return GATEWAY_API_PROVIDER;
};

const NOT_YET = (what: string) => `${what} have no equivalent in Kanaria's Gateway API provider yet; removed`;

/** A parentRef: Kanaria attaches to Gateways, by name, namespace and listener. */
const gatewayRef: Rule = (value, path, ctx) => {
  if (isRecord(value) && value.kind !== undefined && value.kind !== 'Gateway')
    warn(ctx, path, `${String(value.kind)} parents are not supported (only Gateway); removed`);
  if (isRecord(value) && value.kind !== undefined && value.kind !== 'Gateway') return OMIT;
  return object({
    name: keep,
    namespace: keep,
    sectionName: keep,
    group: drop('is always gateway.networking.k8s.io; removed'),
    kind: drop('is always Gateway; removed'),
    port: drop(NOT_YET('parentRef ports')),
  })(value, path, ctx);
};

const labelsAnnotations = object({ labels: keep, annotations: keep });

export const gatewayService = object({
  name: keep,
  port: keep,
  portName: keep,
  targetPort: keep,
  portDiscovery: keep,
  appProtocol: keep,
  apex: labelsAnnotations,
  primary: labelsAnnotations,
  canary: labelsAnnotations,
  gatewayRefs: list(gatewayRef),
  hosts: keep,
  timeout: keep,
  retries: drop(
    'retries have no equivalent: the HTTPRoute standard channel has no retry policy (Flagger does not pass them to Gateway API either); removed',
  ),
  backendTimeout: drop(NOT_YET('backend request timeouts')),
  headers: drop(NOT_YET('header modifier filters')),
  match: drop(NOT_YET('route match conditions (the route matches every path)')),
  rewrite: drop(NOT_YET('URL rewrite filters')),
  mirror: drop(NOT_YET('request mirror filters')),
  primaryBackend: drop(NOT_YET('backend filters')),
  canaryBackend: drop(NOT_YET('backend filters')),
  corsPolicy: drop(NOT_YET('CORS filters')),
});

const stringMatch = object({ exact: keep, prefix: keep, suffix: keep, regex: keep });

const matchItem: Rule = (value, path, ctx) => {
  const out = object(
    { headers: record(stringMatch), queryParams: record(stringMatch) },
    'an HTTPRoute A/B rule matches on headers (the cookie header included) and query parameters only; removed',
  )(value, path, ctx);
  return isRecord(out) && Object.keys(out).length === 0 ? OMIT : out;
};

export const gatewayMatch: Rule = (value, path, ctx) => {
  const out = list(matchItem)(value, path, ctx);
  if (Array.isArray(out) && out.length === 0 && Array.isArray(value) && value.length > 0) {
    warn(ctx, path, 'no header or query condition is left, so the release runs without A/B routing; removed');
    return OMIT;
  }
  return out;
};

/** A Flagger Gateway API Canary names its Gateways; without them there is no route. */
export function gatewayRefsMissing(spec: Record<string, unknown>): boolean {
  return !isRecord(spec.service) || isEmpty(spec.service.gatewayRefs);
}
