import type { IngressController } from '../../api/types.ts';
import type { RouteKind } from '../../router/migration.ts';

/**
 * The metrics every canary can use without a template, with Flagger's NGINX semantics, read from the series
 * of the controller that serves the Ingress (`spec.ingressController`).
 */
export const BUILTIN_METRICS = ['request-success-rate', 'request-duration'] as const;
export type BuiltinMetric = (typeof BUILTIN_METRICS)[number];

/** Traefik's name for its ingress-nginx compatibility provider, the suffix of the service label. */
export const TRAEFIK_INGRESS_NGINX_PROVIDER = 'kubernetesingressnginx';
/** Traefik's name for its Gateway API provider. */
export const TRAEFIK_GATEWAY_PROVIDER = 'kubernetesgateway';

export interface BuiltinQueryVars {
  namespace: string;
  /** The canary's ingressRef name (both controllers name the series after the original Ingress). */
  ingress: string;
  interval: string;
  /** Whose series are read; ingress-nginx when unset. */
  ingressController?: IngressController;
  /** traefik: the apex Service, the backend the original Ingress sends traffic to. */
  service?: string;
  /** traefik: the apex Service's port number and name; the Ingress backend refers to one of them. */
  port?: number;
  portName?: string;
  /** The routes that carry the app's traffic (both while migrating); the canary Ingress when unset. */
  routes?: RouteKind[];
  /** Whose requests: the canary's (default) or the control's, of a compared metric. */
  side?: 'canary' | 'control';
  /** The control: the primary (default) or the baseline of analysis.judge.baseline (Gateway API only). */
  control?: 'primary' | 'baseline';
}

export function isBuiltinMetric(name: string): name is BuiltinMetric {
  return (BUILTIN_METRICS as readonly string[]).includes(name);
}

/** Escapes a PromQL double-quoted label value. */
export function promqlLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function rate(metric: string, selectors: string, interval: string): string {
  return `sum(rate(${metric}{${selectors}}[${interval}]))`;
}

/** Traefik's provider.Normalize: every run of characters other than letters and digits becomes one '-'. */
export function traefikNormalize(name: string): string {
  return name
    .split(/[^\p{L}\p{N}]+/u)
    .filter((part) => part !== '')
    .join('-');
}

/**
 * The regex (RE2, anchored by PromQL) of the `service` label of the canary's series on Traefik's
 * ingress-nginx provider. The provider names a service after the backend of the Ingress rule it serves,
 * `<namespace>-<ingress>-<service>-<port>`, with `-canary` appended for the service of the canary Ingress
 * attached to that rule: so the original Ingress (not `<ingress>-canary`) and the apex Service (not
 * `<service>-canary`). `<port>` is the backend's port as the Ingress writes it, a number or a name; Kanaria
 * does not read the Ingress here, so both the apex Service's port number and its name are accepted (the series
 * recorded from a real Traefik in testdata/traefik-answers.json show both forms). After normalisation only
 * letters, digits and '-' remain, none of them special in a regex.
 */
export function traefikIngressCanaryService(vars: BuiltinQueryVars): string {
  const backend = traefikNormalize(`${vars.namespace}-${vars.ingress}-${vars.service}`);
  return `${backend}-${traefikPortPattern(vars)}-canary@${TRAEFIK_INGRESS_NGINX_PROVIDER}`;
}

/**
 * The regex of the `service` label of Traefik's Gateway provider for the backends `services` of an HTTPRoute
 * (any HTTPRoute of the namespace when `route` is unset): `httproute-<ns>-<route>-gw-<gateway ns>-<gateway>-
 * ep-<entry point>-<rule index>-<hash>-svc-<ns>-<service>-<backendRef index>` (recorded in
 * testdata/traefik-gateway-answers.json). Every rule counts: the A/B rule's canary backend as well as the
 * weighted one's.
 */
export function traefikGatewayService(
  namespace: string,
  route: string | undefined,
  services: string[],
): string {
  const ns = traefikNormalize(namespace);
  const names = services.map(traefikNormalize);
  const service = names.length === 1 ? names[0] : `(${names.join('|')})`;
  const routeName = route === undefined ? '.+' : traefikNormalize(route);
  return `httproute-${ns}-${routeName}-gw-.+-svc-${ns}-${service}-[0-9]+@${TRAEFIK_GATEWAY_PROVIDER}`;
}

/** Any of the patterns, as one regex. */
export function anyOf(patterns: string[]): string {
  return patterns.length === 1 ? patterns[0] : `(${patterns.join('|')})`;
}

/** The canary's services on Traefik over every route that carries the app (see traefikIngressCanaryService). */
export function traefikCanaryService(vars: BuiltinQueryVars): string {
  return anyOf(
    (vars.routes ?? ['ingress']).map((kind) =>
      kind === 'gateway'
        ? traefikGatewayService(vars.namespace, vars.service, [`${vars.service ?? ''}-canary`])
        : traefikIngressCanaryService(vars),
    ),
  );
}

/**
 * The primary's services on Traefik: the original Ingress's backend (`<ns>-<ingress>-<service>-<port>`, the
 * canary's name without `-canary`), or the `-primary` backend of Kanaria's HTTPRoute.
 */
export function traefikPrimaryService(vars: BuiltinQueryVars): string {
  return anyOf(
    (vars.routes ?? ['ingress']).map((kind) => {
      if (kind === 'gateway')
        return traefikGatewayService(vars.namespace, vars.service, [`${vars.service ?? ''}-primary`]);
      const backend = traefikNormalize(`${vars.namespace}-${vars.ingress}-${vars.service}`);
      return `${backend}-${traefikPortPattern(vars)}@${TRAEFIK_INGRESS_NGINX_PROVIDER}`;
    }),
  );
}

/** The baseline's service on Traefik: the `-baseline` backend of Kanaria's HTTPRoute (only an HTTPRoute has one). */
export function traefikBaselineService(vars: BuiltinQueryVars): string {
  return traefikGatewayService(vars.namespace, vars.service, [`${vars.service ?? ''}-baseline`]);
}

/** The `<port>` part of a Traefik service name: the apex port's number or name, `(80|http)` when both are known. */
export function traefikPortPattern(vars: BuiltinQueryVars): string {
  if (!vars.service) throw new Error('the traefik series need the apex Service name');
  const ports = [vars.port === undefined ? '' : String(vars.port), vars.portName ?? '']
    .map(traefikNormalize)
    .filter((port, i, all) => port !== '' && all.indexOf(port) === i);
  if (ports.length === 0)
    throw new Error('the traefik series need the apex Service port (spec.service.port)');
  return ports.length === 1 ? ports[0] : `(${ports.join('|')})`;
}

/** ingress-nginx: `canary!=""` keeps only the series ingress-nginx labels as served by the canary Ingress. */
function nginxQuery(name: BuiltinMetric, vars: BuiltinQueryVars): string {
  if (!(vars.routes ?? ['ingress']).includes('ingress'))
    throw new Error(
      "the built-in metrics read ingress-nginx's series, which an HTTPRoute has none of: set spec.ingressController: traefik when Traefik serves the Gateway, or reference a MetricTemplate for your Gateway (docs/metric-templates-gateway-api.md)",
    );
  // The primary's requests are those the original Ingress served itself: an empty canary label.
  const canary = vars.side === 'control' ? 'canary=""' : 'canary!=""';
  const base = `namespace="${promqlLabel(vars.namespace)}",ingress="${promqlLabel(vars.ingress)}",${canary}`;
  const i = vars.interval;
  switch (name) {
    case 'request-success-rate':
      return (
        `${rate('nginx_ingress_controller_requests', `${base},status!~"5.*"`, i)} / ` +
        `${rate('nginx_ingress_controller_requests', base, i)} * 100`
      );
    case 'request-duration':
      return (
        `${rate('nginx_ingress_controller_response_duration_seconds_sum', base, i)} / ` +
        `${rate('nginx_ingress_controller_response_duration_seconds_count', base, i)} * 1000`
      );
  }
}

/**
 * Traefik (kubernetesIngressNGINX or kubernetesGateway provider): the series of the canary's services (see
 * traefikCanaryService).
 * Service series count upstream attempts, retries included: the provider puts a retry middleware on every
 * router (its reading of ingress-nginx's proxy-next-upstream, by default on connection errors and timeouts),
 * so a request that failed on a canary pod and was retried counts once per attempt (during a pod switch, 76
 * upstream 502s were counted while 2 reached clients), where ingress-nginx's series count client requests.
 * The success rate is therefore that of the attempts: below what clients saw whenever retries hid failures,
 * so a flaky canary fails sooner than on ingress-nginx; request-duration is the mean of single attempts, not
 * of a client's whole wait.
 */
function traefikQuery(name: BuiltinMetric, vars: BuiltinQueryVars): string {
  const service =
    vars.side !== 'control'
      ? traefikCanaryService(vars)
      : vars.control === 'baseline'
        ? traefikBaselineService(vars)
        : traefikPrimaryService(vars);
  const base = `service=~"${promqlLabel(service)}"`;
  const i = vars.interval;
  switch (name) {
    case 'request-success-rate':
      return (
        `${rate('traefik_service_requests_total', `${base},code!~"5.."`, i)} / ` +
        `${rate('traefik_service_requests_total', base, i)} * 100`
      );
    case 'request-duration':
      return (
        `${rate('traefik_service_request_duration_seconds_sum', base, i)} / ` +
        `${rate('traefik_service_request_duration_seconds_count', base, i)} * 1000`
      );
  }
}

/**
 * The PromQL of a built-in metric, or undefined for any other name.
 * - request-success-rate: percentage (0-100) of the canary's requests that did not answer 5xx
 * - request-duration: the canary's mean response time in milliseconds
 * from ingress-nginx's series unless `ingressController` is traefik. Throws when the series cannot be named
 * (traefik: no service or port; ingress-nginx: no Ingress route).
 */
export function builtinQuery(name: string, vars: BuiltinQueryVars): string | undefined {
  if (!isBuiltinMetric(name)) return undefined;
  return vars.ingressController === 'traefik' ? traefikQuery(name, vars) : nginxQuery(name, vars);
}

/** How messages name the built-in metrics' source: "nginx metric", "traefik metric". */
export function builtinSourceName(controller: IngressController | undefined): string {
  return controller === 'traefik' ? 'traefik' : 'nginx';
}
