/** The metrics every NGINX canary can use without a template, with Flagger's NGINX semantics. */
export const BUILTIN_METRICS = ['request-success-rate', 'request-duration'] as const;
export type BuiltinMetric = (typeof BUILTIN_METRICS)[number];

export interface BuiltinQueryVars {
  namespace: string;
  /** The canary's ingressRef name (ingress-nginx labels the series with the original Ingress). */
  ingress: string;
  interval: string;
}

export function isBuiltinMetric(name: string): name is BuiltinMetric {
  return (BUILTIN_METRICS as readonly string[]).includes(name);
}

/** Escapes a PromQL double-quoted label value. */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function rate(metric: string, selectors: string, interval: string): string {
  return `sum(rate(${metric}{${selectors}}[${interval}]))`;
}

/**
 * The PromQL of a built-in metric, or undefined for any other name.
 * - request-success-rate: percentage (0-100) of the canary's requests that did not answer 5xx
 * - request-duration: the canary's mean response time in milliseconds
 * `canary!=""` keeps only the series ingress-nginx labels as served by the canary Ingress.
 */
export function builtinQuery(name: string, vars: BuiltinQueryVars): string | undefined {
  const base = `namespace="${label(vars.namespace)}",ingress="${label(vars.ingress)}",canary!=""`;
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
    default:
      return undefined;
  }
}
