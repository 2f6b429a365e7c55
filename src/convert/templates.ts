/** Rules for Flagger's MetricTemplate and AlertProvider specs → Kanaria's. */
import { QUERY_VARIABLES } from '../checks/metrics/query.ts';
import { type Ctx, type Rule, drop, fail, isRecord, join, keep, object, warn } from './schema.ts';

/** Metric providers Kanaria has; Flagger's names are the same. */
export const METRIC_PROVIDERS = ['prometheus', 'datadog', 'newrelic', 'graphite', 'influxdb'];

/** Flagger alert provider type → Kanaria alert provider type. */
export const ALERT_PROVIDERS: Record<string, string> = {
  slack: 'slack',
  msteams: 'msteams',
  discord: 'discord',
  gchat: 'googlechat',
  googlechat: 'googlechat',
  webhook: 'webhook',
};
const KANARIA_ALERT_TYPES = [...new Set(Object.values(ALERT_PROVIDERS))];

const metricType: Rule = (value, path, ctx) => {
  if (typeof value !== 'string' || !METRIC_PROVIDERS.includes(value))
    fail(
      ctx,
      path,
      `${String(value)} metric provider is not supported; Kanaria supports ${METRIC_PROVIDERS.join(', ')}`,
    );
  return value;
};

const secretRef = object({ name: keep });

const metricProvider = object({
  type: metricType,
  address: keep,
  secretRef,
  insecureSkipVerify: keep,
  headers: keep,
  region: drop('the region applies to CloudWatch and Stackdriver only; removed'),
});

/** Warns about `{{ … }}` expressions in a query that Kanaria does not fill in; the query is kept as written. */
const query: Rule = (value, path, ctx) => {
  if (typeof value !== 'string') return value;
  const unknown = new Set<string>();
  for (const m of value.matchAll(/\{\{([^{}]*)\}\}/g)) {
    const expr = m[1].trim();
    if (!(QUERY_VARIABLES as readonly string[]).includes(expr) && !expr.startsWith('variables.'))
      unknown.add(expr);
  }
  for (const expr of unknown)
    warn(
      ctx,
      path,
      `{{ ${expr} }} is not a variable Kanaria fills in (${QUERY_VARIABLES.join(', ')}, variables.<key>); kept as written`,
    );
  return value;
};

export function convertMetricTemplateSpec(spec: unknown, ctx: Ctx): unknown {
  if (!isRecord(spec)) {
    fail(ctx, 'spec', 'missing: a MetricTemplate needs spec.provider.type and spec.query');
    return spec;
  }
  if (!isRecord(spec.provider))
    fail(ctx, 'spec.provider', 'missing: name the metric provider (spec.provider.type)');
  else if (spec.provider.type === undefined)
    fail(ctx, 'spec.provider.type', `missing; Kanaria supports ${METRIC_PROVIDERS.join(', ')}`);
  if (typeof spec.query !== 'string' || spec.query.trim() === '')
    fail(ctx, 'spec.query', 'missing: the metric query');
  return object({ provider: metricProvider, query })(spec, 'spec', ctx);
}

const alertType: Rule = (value, path, ctx) => {
  const mapped = typeof value === 'string' ? ALERT_PROVIDERS[value] : undefined;
  if (mapped) return mapped;
  const what = value === 'rocket' ? 'rocket (Rocket.Chat)' : String(value);
  fail(
    ctx,
    path,
    `${what} alert provider has no equivalent; Kanaria supports ${KANARIA_ALERT_TYPES.join(', ')}`,
  );
  return value;
};

export function convertAlertProviderSpec(spec: unknown, ctx: Ctx): unknown {
  if (!isRecord(spec)) {
    fail(ctx, 'spec', 'missing: an AlertProvider needs spec.type and spec.address or spec.secretRef');
    return spec;
  }
  if (spec.type === undefined)
    fail(ctx, 'spec.type', `missing; Kanaria supports ${KANARIA_ALERT_TYPES.join(', ')}`);
  if (!spec.address && !isRecord(spec.secretRef))
    fail(
      ctx,
      join('spec', 'address'),
      'missing: set spec.address or spec.secretRef (a Secret with an address key)',
    );
  return object({
    type: alertType,
    channel: keep,
    username: keep,
    address: keep,
    proxy: keep,
    secretRef,
  })(spec, 'spec', ctx);
}
