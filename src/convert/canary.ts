/** Rules for Flagger's Canary spec (flagger.app/v1beta1) → Kanaria's Canary spec. */
import { HOOK_TYPES } from '../api/types.ts';
import { BUILTIN_METRICS, isBuiltinMetric } from '../checks/metrics/builtin.ts';
import {
  type Ctx,
  type Rule,
  OMIT,
  drop,
  fail,
  isEmpty,
  isRecord,
  join,
  keep,
  list,
  object,
  record,
  renameKey,
  warn,
} from './schema.ts';
import {
  gatewayMatch,
  gatewayProvider,
  gatewayRefsMissing,
  gatewayService,
  isGatewayProvider,
} from './gateway.ts';

const FLAGGER_GROUP = 'flagger.app/';
export const KANARIA_API_VERSION = 'kanaria.dev/v1beta1';

const SAME_NAMESPACE =
  'cross-namespace references are not supported: the object is looked up in the Canary namespace; removed';
const NOT_NGINX = (what: string, hint?: string) =>
  `${what} have no equivalent on ingress-nginx${hint ? `; ${hint}` : ''}; removed`;
const MIRROR =
  'traffic mirroring has no equivalent in Kanaria (ingress-nginx canary routing splits traffic, it does not copy it); removed';

/** `apiVersion` of a templateRef/providerRef that points at a Flagger kind now points at Kanaria's. */
const refApiVersion: Rule = (value) =>
  typeof value === 'string' && value.startsWith(FLAGGER_GROUP) ? KANARIA_API_VERSION : value;

const crossNamespaceRef = object({ apiVersion: refApiVersion, kind: keep, name: keep, namespace: keep });

const localRef = (extra: Record<string, Rule> = {}) =>
  object({ apiVersion: keep, kind: keep, name: keep, namespace: drop(SAME_NAMESPACE), ...extra });

const provider: Rule = (value, path, ctx) => {
  if (value === 'nginx') return value;
  if (!isEmpty(value))
    warn(
      ctx,
      path,
      `${String(value)} is not supported: Kanaria routes traffic through ingress-nginx only, its default; removed`,
    );
  return OMIT;
};

const targetRef: Rule = (value, path, ctx) => {
  if (!isRecord(value)) {
    fail(ctx, path, 'must name the Deployment to release (kind Deployment)');
    return value;
  }
  const kind = value.kind;
  if (kind !== undefined && kind !== 'Deployment')
    fail(
      ctx,
      join(path, 'kind'),
      `${String(kind)} targets are not supported: Kanaria releases Deployments only`,
    );
  if (typeof value.name !== 'string' || value.name === '')
    fail(ctx, join(path, 'name'), 'missing: name the Deployment to release');
  return localRef()(value, path, ctx);
};

const autoscalerRef: Rule = (value, path, ctx) => {
  if (isRecord(value) && value.kind !== undefined && value.kind !== 'HorizontalPodAutoscaler') {
    warn(
      ctx,
      path,
      `${String(value.kind)} autoscalers are not supported (only HorizontalPodAutoscaler), so the primary Deployment will not be autoscaled; removed`,
    );
    return OMIT;
  }
  return localRef({
    primaryScalerQueries: drop('KEDA ScaledObject queries have no equivalent in Kanaria; removed'),
    primaryScalerReplicas: drop(
      "has no equivalent: Kanaria's primary HPA copies minReplicas and maxReplicas from the target's HPA; removed",
    ),
  })(value, path, ctx);
};

const labelsAnnotations = object({ labels: keep, annotations: keep });

const service = object({
  name: keep,
  port: keep,
  portName: keep,
  targetPort: keep,
  portDiscovery: keep,
  appProtocol: keep,
  apex: labelsAnnotations,
  primary: labelsAnnotations,
  canary: labelsAnnotations,
  gateways: drop(NOT_NGINX('Istio gateways')),
  hosts: drop(
    'Istio virtual service hosts have no equivalent: hosts come from the Ingress in spec.ingressRef; removed',
  ),
  delegation: drop(NOT_NGINX('Istio delegate virtual services')),
  trafficPolicy: drop(NOT_NGINX('Istio destination rule traffic policies')),
  retries: drop(NOT_NGINX('Istio retry policies', 'configure retries with annotations on the Ingress')),
  headers: drop(NOT_NGINX('Istio header operations', 'configure headers with annotations on the Ingress')),
  corsPolicy: drop(NOT_NGINX('Istio CORS policies', 'configure CORS with annotations on the Ingress')),
  match: drop(
    'URI match conditions have no equivalent: request routing comes from the Ingress rules; removed',
  ),
  rewrite: drop(NOT_NGINX('URI rewrites of the generated routes', 'use rewrite annotations on the Ingress')),
  timeout: drop(NOT_NGINX('route timeouts', 'configure proxy timeouts with annotations on the Ingress')),
  backendTimeout: drop(NOT_NGINX('Gateway API backend timeouts')),
  gatewayRefs: drop(NOT_NGINX('Gateway API parent references')),
  mirror: drop(NOT_NGINX('Gateway API mirror filters')),
  meshName: drop(NOT_NGINX('App Mesh meshes')),
  backends: drop(NOT_NGINX('App Mesh backends')),
  primaryBackend: drop(NOT_NGINX('provider-specific primary backends')),
  canaryBackend: drop(NOT_NGINX('provider-specific canary backends')),
  headless: drop('headless services have no equivalent: Kanaria creates ClusterIP services; removed'),
  trafficDistribution: drop('Service traffic distribution has no equivalent in Kanaria; removed'),
  unmanagedMetadata: drop('unmanaged metadata keys have no equivalent in Kanaria; removed'),
});

const stringMatch = object({ exact: keep, prefix: keep, suffix: keep, regex: keep });

const matchItem: Rule = (value, path, ctx) => {
  const out = object(
    { headers: record(stringMatch) },
    'ingress-nginx canary routing matches on headers and cookies only; removed',
  )(value, path, ctx);
  return isRecord(out) && Object.keys(out).length === 0 ? OMIT : out;
};

const match: Rule = (value, path, ctx) => {
  const out = list(matchItem)(value, path, ctx);
  if (Array.isArray(out) && out.length === 0 && Array.isArray(value) && value.length > 0) {
    warn(
      ctx,
      path,
      'no header or cookie condition is left, so the release runs without A/B routing; removed',
    );
    return OMIT;
  }
  return out;
};

const metricFields = object({
  name: keep,
  interval: keep,
  threshold: keep,
  thresholdRange: object({ min: keep, max: keep }),
  query: keep,
  templateRef: crossNamespaceRef,
  templateVariables: keep,
});

const metric: Rule = (value, path, ctx) => {
  if (
    isRecord(value) &&
    typeof value.name === 'string' &&
    !isBuiltinMetric(value.name) &&
    isEmpty(value.templateRef) &&
    isEmpty(value.query)
  )
    warn(
      ctx,
      join(path, 'name'),
      `${value.name} is not a built-in metric (${BUILTIN_METRICS.join(', ')}) and has no templateRef or query, so it cannot be evaluated; kept`,
    );
  return metricFields(value, path, ctx);
};

const hookType: Rule = (value, path, ctx) => {
  if (value === '' || value === undefined || value === null) return OMIT; // Flagger and Kanaria both read it as rollout
  if (!(HOOK_TYPES as readonly unknown[]).includes(value))
    fail(ctx, path, `unknown webhook type ${String(value)}; Kanaria knows ${HOOK_TYPES.join(', ')}`);
  return value;
};

const webhook = object({
  name: keep,
  type: hookType,
  url: keep,
  timeout: keep,
  retries: keep,
  metadata: keep,
  muteAlert: keep,
  disableTLS: drop('TLS verification cannot be turned off per webhook in Kanaria; removed'),
});

const alert = object({ name: keep, severity: keep, providerRef: crossNamespaceRef });

const analysisWith = (matchRule: Rule, gateway: boolean) =>
  object({
    interval: keep,
    threshold: keep,
    maxWeight: keep,
    stepWeight: keep,
    stepWeights: keep,
    stepWeightPromotion: keep,
    iterations: keep,
    primaryReadyThreshold: keep,
    canaryReadyThreshold: keep,
    match: matchRule,
    metrics: list(metric),
    webhooks: list(webhook),
    alerts: list(alert),
    mirror: drop(MIRROR),
    mirrorWeight: drop(MIRROR),
    sessionAffinity: gateway
      ? keep
      : drop(
          'session affinity needs provider gatewayapi:v1 in Kanaria (a cookie rule on the HTTPRoute); removed',
        ),
  });

function specRules(hasAnalysis: boolean, gateway: boolean): Record<string, Rule> {
  const analysis = analysisWith(gateway ? gatewayMatch : match, gateway);
  return {
    provider: gateway ? gatewayProvider : provider,
    metricsServer: keep,
    targetRef,
    ingressRef: gateway
      ? drop(
          'provider gatewayapi:v1 routes through the HTTPRoute on service.gatewayRefs, not an Ingress; removed',
        )
      : localRef(),
    autoscalerRef,
    service: gateway ? gatewayService : service,
    analysis,
    canaryAnalysis: hasAnalysis ? drop('Flagger ignores it because spec.analysis is set; removed') : analysis,
    progressDeadlineSeconds: keep,
    skipAnalysis: keep,
    suspend: keep,
    revertOnDeletion: keep,
    upstreamRef: drop(NOT_NGINX('Gloo upstreams')),
    routeRef: drop(NOT_NGINX('APISIX routes')),
    sessionAffinity: drop('session affinity cookies have no equivalent in Kanaria; removed'),
  };
}

/** Converts a Canary's spec; problems that make it unusable are recorded in `ctx.issues`. */
export function convertCanarySpec(spec: unknown, ctx: Ctx): unknown {
  if (!isRecord(spec)) {
    fail(ctx, 'spec', 'missing: a Canary needs spec.targetRef, spec.service and spec.analysis');
    return spec;
  }
  const hasAnalysis = isRecord(spec.analysis);
  const gateway = isGatewayProvider(spec.provider);
  let out = object(specRules(hasAnalysis, gateway))(spec, 'spec', ctx) as Record<string, unknown>;
  if (!hasAnalysis && isRecord(out.canaryAnalysis)) out = renameKey(out, 'canaryAnalysis', 'analysis');

  if (!Object.hasOwn(spec, 'targetRef'))
    fail(ctx, 'spec.targetRef', 'missing: name the Deployment to release (kind Deployment)');
  if (!isRecord(spec.service)) fail(ctx, 'spec.service', 'missing: Kanaria needs at least spec.service.port');
  else if (spec.service.port === undefined)
    fail(ctx, 'spec.service.port', 'missing: the apex Service needs a port');
  const analysisPath =
    hasAnalysis || !Object.hasOwn(spec, 'canaryAnalysis') ? 'spec.analysis' : 'spec.canaryAnalysis';
  if (!isRecord(out.analysis))
    fail(ctx, analysisPath, 'missing: Kanaria needs spec.analysis with at least an interval');
  else if (isEmpty(out.analysis.interval)) {
    out.analysis = { ...out.analysis, interval: '1m' };
    warn(ctx, `${analysisPath}.interval`, "not set; written out as 1m, Flagger's default of 60s");
  }
  if (gateway && gatewayRefsMissing(spec))
    fail(
      ctx,
      'spec.service.gatewayRefs',
      'missing: a Gateway API Canary needs the Gateway its HTTPRoute attaches to',
    );
  else if (!gateway && !Object.hasOwn(spec, 'ingressRef'))
    warn(
      ctx,
      'spec.ingressRef',
      'not set: without an Ingress Kanaria cannot shift traffic to the canary; add the Ingress that routes to the apex Service',
    );
  return out;
}
