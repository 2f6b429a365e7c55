/**
 * Validation of kanaria.dev objects: the schema's own rules (what admission enforces) plus the semantic
 * rules a schema cannot express. Every issue names the field and says what is wrong and how to fix it.
 * The functions never throw, whatever the input.
 */
import { judgeIssues } from './validate-judge.ts';
import { alertApproverIssues, alertProviderApproverIssues } from './validate-approvers.ts';
import { CronExpressionParser } from 'cron-parser';
import { checkSchema, type ValidationIssue } from './schema-check.ts';
import {
  alertProviderSpecSchema,
  BUILTIN_METRICS,
  canarySpecSchema,
  metricTemplateSpecSchema,
  type JSONSchemaProps,
} from './schema.ts';
import type {
  AlertProvider,
  Canary,
  CanaryAnalysis,
  CanaryMetric,
  CanaryWebhook,
  MetricTemplate,
  ReleaseWindow,
} from './types.ts';
import { matchIssues, providerIssues } from './validate-routing.ts';
import { stepsIssues } from './validate-steps.ts';

export type { ValidationIssue } from './schema-check.ts';

const ANALYSIS = 'spec.analysis';

function specIssues(schema: JSONSchemaProps, spec: unknown): ValidationIssue[] {
  if (spec === undefined || spec === null) return [{ field: 'spec', message: 'is required: add a spec' }];
  return checkSchema(schema, spec, 'spec');
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function list<T>(value: T[] | undefined): T[] {
  return Array.isArray(value) ? value : [];
}

function weightIssues(a: CanaryAnalysis): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const max = isNumber(a.maxWeight) ? a.maxWeight : 100;
  const steps = list(a.stepWeights);
  steps.forEach((w, i) => {
    if (!isNumber(w)) return;
    const field = `${ANALYSIS}.stepWeights[${i}]`;
    const before = steps[i - 1];
    if (i > 0 && isNumber(before) && w <= before) {
      issues.push({
        field,
        message: `is ${w}, not above the step before it (${before}): stepWeights must increase strictly, e.g. [5, 10, 25, 50]`,
      });
    }
    if (w > max) {
      issues.push({
        field,
        message: `is ${w}, above maxWeight ${max}: raise maxWeight to at least ${w} or remove the weights above ${max}`,
      });
    }
  });
  if (isNumber(a.stepWeight) && a.stepWeight > max) {
    issues.push({
      field: `${ANALYSIS}.stepWeight`,
      message: `is ${a.stepWeight}, above maxWeight ${max}: the first step would pass the maximum; lower stepWeight or raise maxWeight`,
    });
  }
  return issues;
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function windowIssues(a: CanaryAnalysis): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  list<ReleaseWindow>(a.windows).forEach((w, i) => {
    const path = `${ANALYSIS}.windows[${i}]`;
    if (!w || typeof w !== 'object') return;
    const zoneOk = typeof w.timeZone !== 'string' || w.timeZone === '' || validTimeZone(w.timeZone);
    if (!zoneOk) {
      issues.push({
        field: `${path}.timeZone`,
        message: `${JSON.stringify(w.timeZone)} is not a known IANA time zone: use a name like UTC, Europe/Berlin or America/New_York`,
      });
    }
    if (typeof w.schedule !== 'string' || w.schedule.trim() === '') return;
    const fields = w.schedule.trim().split(/\s+/).length;
    if (!w.schedule.trim().startsWith('@') && fields !== 5) {
      issues.push({
        field: `${path}.schedule`,
        message: `${JSON.stringify(w.schedule)} has ${fields} fields: use 5 (minute hour day-of-month month day-of-week), e.g. "0 9 * * 1-5"`,
      });
      return;
    }
    try {
      const tz = zoneOk && w.timeZone ? w.timeZone : 'UTC';
      CronExpressionParser.parse(w.schedule, { tz }).next();
    } catch (err) {
      issues.push({
        field: `${path}.schedule`,
        message: `${JSON.stringify(w.schedule)} is not a valid cron expression (${(err as Error).message}): use minute hour day-of-month month day-of-week, e.g. "0 9 * * 1-5"`,
      });
    }
  });
  return issues;
}

function webhookIssues(a: CanaryAnalysis): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Map<string, number>();
  list<CanaryWebhook>(a.webhooks).forEach((h, i) => {
    if (!h || typeof h.name !== 'string') return;
    const before = seen.get(h.name);
    if (before === undefined) {
      seen.set(h.name, i);
      return;
    }
    issues.push({
      field: `${ANALYSIS}.webhooks[${i}].name`,
      message: `${JSON.stringify(h.name)} is also the name of webhooks[${before}]: webhook names must be unique; rename one`,
    });
  });
  return issues;
}

function metricIssues(a: CanaryAnalysis): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  list<CanaryMetric>(a.metrics).forEach((m, i) => {
    if (!m || typeof m !== 'object') return;
    const path = `${ANALYSIS}.metrics[${i}]`;
    const builtin = (BUILTIN_METRICS as readonly string[]).includes(m.name);
    if (!m.templateRef && !m.query && typeof m.name === 'string' && !builtin) {
      issues.push({
        field: `${path}.name`,
        message: `${JSON.stringify(m.name)} is not a built-in metric and the metric has no templateRef or query: reference a MetricTemplate with templateRef, or use ${BUILTIN_METRICS.join(' or ')}`,
      });
    }
    const range = m.thresholdRange;
    if (range && isNumber(range.min) && isNumber(range.max) && range.min > range.max) {
      issues.push({
        field: `${path}.thresholdRange`,
        message: `min ${range.min} is above max ${range.max}, so no value can pass: swap them or correct one`,
      });
    }
  });
  return issues;
}

/** Issues of a Canary; empty when it is valid. */
export function validateCanary(canary: Canary): ValidationIssue[] {
  const spec = canary?.spec;
  const issues = specIssues(canarySpecSchema(), spec);
  const analysis = spec?.analysis;
  if (!analysis || typeof analysis !== 'object') return issues;
  return [
    ...issues,
    ...weightIssues(analysis),
    ...stepsIssues(spec),
    ...providerIssues(spec),
    ...matchIssues(analysis, spec.provider),
    ...windowIssues(analysis),
    ...webhookIssues(analysis),
    ...metricIssues(analysis),
    ...judgeIssues(analysis, spec.provider),
    ...alertApproverIssues(analysis),
  ];
}

/** An issue when `value` is set but is not an absolute http(s) URL. */
function urlIssue(value: unknown, field: string, example: string): ValidationIssue[] {
  if (typeof value !== 'string' || value === '') return [];
  let ok: boolean;
  try {
    const url = new URL(value);
    ok = (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    ok = false;
  }
  if (ok) return [];
  return [
    { field, message: `${JSON.stringify(value)} is not an absolute http(s) URL: write it like ${example}` },
  ];
}

/** Issues of a MetricTemplate; empty when it is valid. */
export function validateMetricTemplate(template: MetricTemplate): ValidationIssue[] {
  const spec = template?.spec;
  const issues = specIssues(metricTemplateSpecSchema(), spec);
  const provider = spec?.provider;
  if (!provider || typeof provider !== 'object') return issues;
  issues.push(...urlIssue(provider.address, 'spec.provider.address', 'http://prometheus.monitoring:9090'));
  if ((provider.type === 'graphite' || provider.type === 'influxdb') && !provider.address) {
    issues.push({
      field: 'spec.provider.address',
      message: `is required for ${provider.type}, which has no default address: set the URL of the ${provider.type} API`,
    });
  }
  return issues;
}

/** Issues of an AlertProvider; empty when it is valid. */
export function validateAlertProvider(provider: AlertProvider): ValidationIssue[] {
  const spec = provider?.spec;
  const issues = specIssues(alertProviderSpecSchema(), spec);
  if (!spec || typeof spec !== 'object') return issues;
  if (spec.address === '' && !spec.secretRef) {
    issues.push({
      field: 'spec.address',
      message:
        'is empty and there is no secretRef: set the webhook URL, or secretRef to a Secret with an address key',
    });
  }
  issues.push(...urlIssue(spec.address, 'spec.address', 'https://hooks.slack.com/services/T000/B000/XXXX'));
  issues.push(...urlIssue(spec.proxy, 'spec.proxy', 'http://proxy.example:3128'));
  issues.push(...alertProviderApproverIssues(spec));
  return issues;
}
