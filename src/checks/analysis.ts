import type { Canary, MetricTemplate } from '../api/types.ts';
import type { CheckResult, Snapshot } from '../engine/model.ts';
import type { Cache } from '../controller/caches.ts';
import type { KubernetesObject, V1Secret } from '../kube/types.ts';
import { validateMetricTemplate } from '../api/validate.ts';
import { runComparison } from './compare.ts';
import { runMetricCheck, thresholdRecord } from './metrics/evaluate.ts';
import { metricUnit } from '../api/analysis.ts';
import { observesSplit } from '../engine/split.ts';
import { observeSplit, splitQueries } from './split.ts';
import { createProvider, type MetricProvider, type ProviderConfig } from './metrics/provider.ts';
import { activeRouteKinds, splitRouteKind } from '../router/migration.ts';

export interface MetricSources {
  metricTemplates: Cache<MetricTemplate & KubernetesObject>;
  secrets: Cache<V1Secret>;
  /** Prometheus address for the built-in nginx metrics when the Canary sets no metricsServer. */
  defaultPrometheus?: string;
  clock: () => number;
}

function decodeSecret(secret: V1Secret | undefined): Record<string, string> | undefined {
  if (!secret) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries(secret.stringData ?? {})) out[k] = v;
  return out;
}

/**
 * The provider config a MetricTemplate describes, with its Secret's credentials. Credentials (the
 * Secret, and headers, which may carry them) only ever go to the template's own address: an empty
 * address is the provider's public endpoint (datadog, newrelic), or the operator's own Prometheus
 * for a prometheus template without credentials; never an address a Canary chose.
 */
export function templateProvider(
  template: MetricTemplate,
  secrets: Cache<V1Secret>,
  operatorPrometheus?: string,
): ProviderConfig {
  const p = template.spec.provider;
  const ns = template.metadata.namespace;
  const id = `metric template ${ns}/${template.metadata.name}`;
  const issues = validateMetricTemplate(template);
  if (issues.length > 0)
    throw new Error(`${id} is invalid: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`);
  let credentials: Record<string, string> | undefined;
  if (p.secretRef) {
    credentials = decodeSecret(secrets.get(p.secretRef.name, ns));
    if (!credentials) throw new Error(`secret ${ns}/${p.secretRef.name} of ${id} not found`);
  }
  const headers = Object.fromEntries(Object.entries(p.headers ?? {}).map(([k, v]) => [k, v.join(', ')]));
  return {
    type: p.type,
    address: templateAddress(template, id, operatorPrometheus),
    headers,
    insecureSkipVerify: p.insecureSkipVerify,
    credentials,
  };
}

function templateAddress(template: MetricTemplate, id: string, operatorPrometheus?: string): string {
  const p = template.spec.provider;
  if (p.address) return p.address;
  if (p.type === 'datadog' || p.type === 'newrelic') return '';
  const carriesCredentials = Boolean(p.secretRef) || Object.keys(p.headers ?? {}).length > 0;
  if (p.type === 'prometheus' && !carriesCredentials && operatorPrometheus) return operatorPrometheus;
  throw new Error(
    `${id} has no spec.provider.address: set the URL of its ${p.type} API` +
      (p.type === 'prometheus' && carriesCredentials
        ? ' (a template with credentials never falls back to another address)'
        : ''),
  );
}

/** The metric providers a Canary's analysis uses, by a name for messages. */
function providersOf(sources: MetricSources, snapshot: Snapshot): Map<string, () => MetricProvider> {
  const spec = snapshot.spec;
  const prometheus = spec.metricsServer ?? sources.defaultPrometheus;
  const out = new Map<string, () => MetricProvider>();
  for (const metric of spec.analysis.metrics ?? []) {
    if (metric.templateRef) {
      const tns = metric.templateRef.namespace ?? snapshot.namespace;
      const template = sources.metricTemplates.get(metric.templateRef.name, tns);
      if (!template) continue;
      out.set(`metric template ${tns}/${metric.templateRef.name}`, () =>
        createProvider(templateProvider(template, sources.secrets, sources.defaultPrometheus), {
          now: sources.clock,
        }),
      );
    } else if (prometheus) {
      out.set(`prometheus ${prometheus}`, () =>
        createProvider({ type: 'prometheus', address: prometheus }, { now: sources.clock }),
      );
    }
  }
  return out;
}

/**
 * Asks every provider the analysis will use whether it answers; returns one message per provider that does
 * not. Rejects with the abort reason when `signal` aborts (an aborted question has no answer).
 */
export async function unreachableProviders(
  sources: MetricSources,
  snapshot: Snapshot,
  signal?: AbortSignal,
): Promise<string[]> {
  const problems = await Promise.all(
    [...providersOf(sources, snapshot)].map(async ([name, make]) => {
      try {
        await make().isOnline(signal);
        return undefined;
      } catch (err) {
        signal?.throwIfAborted();
        return `${name} is not available: ${(err as Error).message}`;
      }
    }),
  );
  signal?.throwIfAborted();
  return problems.filter((p): p is string => p !== undefined);
}

/**
 * Runs the metric checks of a Canary's analysis; every failure comes back as a failed check, never a throw.
 * An aborted `signal` is no failure: the queries stop and the promise rejects with the abort reason.
 */
export function createAnalysisChecker(sources: MetricSources) {
  return async (canary: Canary, snapshot: Snapshot, signal?: AbortSignal): Promise<CheckResult[]> => {
    const spec = snapshot.spec;
    const ns = snapshot.namespace;
    const prometheus = spec.metricsServer ?? sources.defaultPrometheus;
    const routes = activeRouteKinds(spec, snapshot.status);
    const identity = {
      name: snapshot.name,
      namespace: ns,
      target: spec.targetRef.name,
      service: spec.service.name,
      ingress: spec.ingressRef?.name,
      ingressController: spec.ingressController,
      port: spec.service.port,
      portName: spec.service.portName,
      routes,
    };
    const results = await Promise.all(
      (spec.analysis.metrics ?? []).map(async (metric): Promise<CheckResult> => {
        let templateQuery: string | undefined;
        let provider: (interval: string) => MetricProvider;
        try {
          if (metric.templateRef) {
            const tns = metric.templateRef.namespace ?? ns;
            const template = sources.metricTemplates.get(metric.templateRef.name, tns);
            if (!template) throw new Error(`metric template ${tns}/${metric.templateRef.name} not found`);
            templateQuery = template.spec.query;
            const config = templateProvider(template, sources.secrets, sources.defaultPrometheus);
            provider = (interval) => createProvider(config, { now: sources.clock, interval });
          } else {
            if (!prometheus)
              throw new Error(
                'no Prometheus address: set spec.metricsServer on the Canary or --metrics-server on the operator',
              );
            provider = (interval) =>
              createProvider({ type: 'prometheus', address: prometheus }, { now: sources.clock, interval });
          }
        } catch (err) {
          const message = `metric ${metric.name}: ${(err as Error).message}`;
          const unit = metricUnit(metric);
          const kind = metric.compare ? ('compare' as const) : ('metric' as const);
          return {
            kind,
            name: metric.name,
            ok: false,
            message,
            record: {
              kind: metric.compare ? 'control' : 'threshold',
              metric: metric.name,
              ...(unit ? { unit } : {}),
              verdict: 'Error',
              reason: message,
            },
          };
        }
        if (metric.compare) {
          return runComparison({
            metric,
            judge: spec.analysis.judge,
            analysisInterval: spec.analysis.interval,
            canary: identity,
            provider: provider(metric.interval ?? spec.analysis.interval),
            templateQuery,
            now: sources.clock(),
            signal,
          });
        }
        const r = await runMetricCheck({
          metric,
          canary: identity,
          provider,
          templateQuery,
          defaultInterval: spec.analysis.interval,
          signal,
        });
        return {
          kind: 'metric',
          name: r.name,
          ok: r.ok,
          message: r.message,
          value: r.value,
          record: thresholdRecord(metric, r, metricUnit(metric)),
        };
      }),
    );
    if (prometheus && observesSplit(snapshot, snapshot.status)) {
      const provider = createProvider({ type: 'prometheus', address: prometheus }, { now: sources.clock });
      const queries = splitQueries({
        ...identity,
        ingress: identity.ingress ?? '',
        window: spec.analysis.interval,
        route: splitRouteKind(routes),
      });
      results.push(await observeSplit(provider, queries, signal));
    }
    signal?.throwIfAborted();
    return results;
  };
}
