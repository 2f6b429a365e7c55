import type { RouteKind } from '../../router/migration.ts';
import { DEFAULT_PORT_NAME } from '../../api/defaults.ts';
import type { RecordVerdict, ThresholdCheck } from '../../api/analysis.ts';
import type { CanaryMetric, IngressController, ThresholdRange } from '../../api/types.ts';
import { builtinQuery, builtinSourceName, isBuiltinMetric } from './builtin.ts';
import { MetricQueryError, type MetricErrorCode } from './errors.ts';
import { DEFAULT_METRIC_INTERVAL } from './interval.ts';
import type { MetricProvider } from './provider.ts';
import { renderQuery, type QueryVars } from './query.ts';

export interface EvaluationContext {
  /** targetRef name and namespace, for the "not receiving traffic" message. */
  target: string;
  namespace: string;
  /**
   * The deprecated per-metric `threshold`, used only without a thresholdRange (Flagger's
   * semantics: a minimum for request-success-rate, a maximum for everything else).
   */
  threshold?: number;
  /** Whose series the built-in metrics read, for the "no values" message; ingress-nginx when unset. */
  ingressController?: IngressController;
}

export type MetricEvaluation =
  { ok: true; value: number } | { ok: false; value?: number; message: string; code?: MetricErrorCode };

/** The value as the messages show it: "20.48%", "1200ms", "3.14". */
export function formatMetricValue(metricName: string, value: number): string {
  if (metricName === 'request-success-rate') return `${value.toFixed(2)}%`;
  if (metricName === 'request-duration') return `${Number.isInteger(value) ? value : value.toFixed(2)}ms`;
  return value.toFixed(2);
}

function bound(metricName: string, b: number): string {
  if (metricName === 'request-success-rate') return `${b}%`;
  if (metricName === 'request-duration') return `${b}ms`;
  return String(b);
}

function subject(metricName: string): string {
  if (metricName === 'request-success-rate') return 'success rate';
  if (metricName === 'request-duration') return 'request duration';
  return `metric ${metricName}`;
}

function effectiveRange(
  metricName: string,
  range: ThresholdRange | undefined,
  threshold?: number,
): ThresholdRange {
  if (range) return range;
  if (threshold === undefined) return {};
  return metricName === 'request-success-rate' ? { min: threshold } : { max: threshold };
}

function noValuesMessage(metricName: string, ctx: EvaluationContext): string {
  const kind = isBuiltinMetric(metricName) ? `${builtinSourceName(ctx.ingressController)} metric` : 'metric';
  return `no values found for ${kind} ${metricName} probably ${ctx.target}.${ctx.namespace} is not receiving traffic`;
}

/**
 * Judges one query outcome against the metric's threshold range. Pure.
 * A value below `min` or above `max` fails; ENOVALUES (or NaN) fails as "not receiving
 * traffic"; any other error fails as "query failed".
 */
export function evaluateMetric(
  metricName: string,
  outcome: number | Error,
  range: ThresholdRange | undefined,
  ctx: EvaluationContext,
): MetricEvaluation {
  if (outcome instanceof Error) {
    if (outcome instanceof MetricQueryError && outcome.code === 'ENOVALUES') {
      return { ok: false, code: 'ENOVALUES', message: noValuesMessage(metricName, ctx) };
    }
    const code = outcome instanceof MetricQueryError ? outcome.code : undefined;
    return {
      ok: false,
      ...(code ? { code } : {}),
      message: `metric ${metricName} query failed: ${outcome.message}`,
    };
  }
  const value = outcome;
  if (Number.isNaN(value)) return { ok: false, code: 'ENOVALUES', message: noValuesMessage(metricName, ctx) };
  const { min, max } = effectiveRange(metricName, range, ctx.threshold);
  const shown = `${subject(metricName)} ${formatMetricValue(metricName, value)}`;
  if (min !== undefined && value < min) {
    return { ok: false, value, message: `${shown} < ${bound(metricName, min)}` };
  }
  if (max !== undefined && value > max) {
    return { ok: false, value, message: `${shown} > ${bound(metricName, max)}` };
  }
  return { ok: true, value };
}

/** The outcome of one metric check: a value, never an exception (fits the engine's CheckResult). */
export interface MetricCheckResult {
  kind: 'metric';
  name: string;
  ok: boolean;
  message: string;
  value?: number;
  code?: MetricErrorCode;
  /** The query that ran, when it could be built. */
  query?: string;
}

export interface MetricCheckCanary {
  name: string;
  namespace: string;
  /** targetRef name. */
  target: string;
  /** service.name; the target name when unset. */
  service?: string;
  /** ingressRef name; the target name when unset. */
  ingress?: string;
  /** spec.ingressController: whose series the built-in metrics read; ingress-nginx when unset. */
  ingressController?: IngressController;
  /** spec.service.port and portName (the built-in metrics on traefik name the series after them). */
  port?: number;
  portName?: string;
  /** The routes that carry the app (both while migrating); the canary Ingress when unset. */
  routes?: RouteKind[];
  /** The control side of compared metrics: the primary (default) or the baseline (analysis.judge.baseline). */
  control?: 'primary' | 'baseline';
}

export interface MetricCheckInput {
  metric: CanaryMetric;
  canary: MetricCheckCanary;
  /** The provider, or a factory given the metric's interval (its errors become a failed check). */
  provider: MetricProvider | ((interval: string) => MetricProvider);
  /** The referenced MetricTemplate's query, when `metric.templateRef` is set. */
  templateQuery?: string;
  /** Interval when the metric has none (Flagger: the analysis interval); 1m when unset. */
  defaultInterval?: string;
  /** Aborts the query; an aborted check has no result (see runMetricCheck). */
  signal?: AbortSignal;
}

/** The variables a metric's query template is filled with. */
export function queryVars(canary: MetricCheckCanary, metric: CanaryMetric, interval: string): QueryVars {
  return {
    name: canary.name,
    namespace: canary.namespace,
    target: canary.target,
    service: canary.service || canary.target,
    ingress: canary.ingress || canary.target,
    interval,
    variables: metric.templateVariables ?? {},
  };
}

/** The query of a metric: its template's, its inline one, or the built-in one (of `vars.side`). */
export function resolveQuery(input: Omit<MetricCheckInput, 'provider'>, vars: QueryVars): string {
  const { metric } = input;
  if (input.templateQuery !== undefined) return renderQuery(input.templateQuery, vars);
  if (metric.templateRef) {
    const ns = metric.templateRef.namespace ?? input.canary.namespace;
    throw new Error(`metric template ${ns}/${metric.templateRef.name} was not found`);
  }
  if (metric.query) return renderQuery(metric.query, vars);
  const { ingressController, port, portName, routes, control } = input.canary;
  const builtin = builtinQuery(metric.name, {
    ...vars,
    ingressController,
    port,
    portName: portName || DEFAULT_PORT_NAME,
    routes,
    side: vars.side,
    control,
  });
  if (builtin === undefined) {
    throw new Error(
      'it has no query or templateRef and is not a built-in metric (request-success-rate, request-duration)',
    );
  }
  return builtin;
}

/**
 * Builds the query (template, inline query or built-in), runs it on the provider and evaluates
 * the answer. Every failure is a result with ok=false and a message; the one rejection is an aborted
 * `signal` (with its reason): the caller stopped wanting the answer, which says nothing of the metric.
 */
export async function runMetricCheck(input: MetricCheckInput): Promise<MetricCheckResult> {
  const { metric, canary } = input;
  const interval = metric.interval || input.defaultInterval || DEFAULT_METRIC_INTERVAL;
  const ctx: EvaluationContext = {
    target: canary.target,
    namespace: canary.namespace,
    threshold: metric.threshold,
    ingressController: canary.ingressController,
  };
  let query: string | undefined;
  let outcome: number | Error;
  try {
    query = resolveQuery(input, queryVars(canary, metric, interval));
    const provider = typeof input.provider === 'function' ? input.provider(interval) : input.provider;
    outcome = await provider.runQuery(query, input.signal);
    if (typeof outcome !== 'number') throw new Error(`provider returned ${typeof outcome}, not a number`);
  } catch (err) {
    input.signal?.throwIfAborted();
    outcome = err instanceof Error ? err : new Error(String(err));
  }
  input.signal?.throwIfAborted();
  const verdict = evaluateMetric(metric.name, outcome, metric.thresholdRange, ctx);
  const base = { kind: 'metric' as const, name: metric.name, ...(query !== undefined ? { query } : {}) };
  if (verdict.ok) {
    return {
      ...base,
      ok: true,
      value: verdict.value,
      message: `metric ${metric.name} ${formatMetricValue(metric.name, verdict.value)} passed`,
    };
  }
  return {
    ...base,
    ok: false,
    message: verdict.message,
    ...(verdict.value !== undefined ? { value: verdict.value } : {}),
    ...(verdict.code ? { code: verdict.code } : {}),
  };
}

/** The record status keeps of a threshold metric's check: value, bounds and verdict. */
export function thresholdRecord(
  metric: CanaryMetric,
  result: MetricCheckResult,
  unit?: string,
): ThresholdCheck {
  const { min, max } = effectiveRange(metric.name, metric.thresholdRange, metric.threshold);
  const value = result.value;
  const verdict: RecordVerdict = result.ok
    ? 'Pass'
    : value !== undefined && max !== undefined && value > max
      ? 'High'
      : value !== undefined && min !== undefined && value < min
        ? 'Low'
        : result.code === 'ENOVALUES'
          ? 'NoData'
          : 'Error';
  return {
    kind: 'threshold',
    metric: metric.name,
    ...(unit ? { unit } : {}),
    ...(value !== undefined ? { value } : {}),
    ...(min !== undefined ? { min } : {}),
    ...(max !== undefined ? { max } : {}),
    verdict,
    reason: result.message,
  };
}
