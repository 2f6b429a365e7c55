/** Helpers for the validator's tests: a small valid Canary, one field changed, and the issues found. */
import type { Canary, CanaryAnalysis, CanarySpec } from './types.ts';
import { validateCanary } from './validate.ts';

export function canary(analysis: Partial<CanaryAnalysis> = {}, spec: Partial<CanarySpec> = {}): Canary {
  return {
    apiVersion: 'kanaria.dev/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'podinfo' },
      service: { port: 80, targetPort: 9898 },
      ...spec,
      analysis: { interval: '1m', threshold: 5, maxWeight: 50, stepWeight: 10, ...analysis },
    },
  };
}

/** A Canary with `value` set at `path` inside spec (the value may be of the wrong type on purpose). */
export function withSpec(path: string, value: unknown, base = canary()): Canary {
  const c = structuredClone(base) as unknown as Record<string, unknown>;
  const keys = `spec.${path}`.split('.');
  let at = c;
  for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
  if (value === undefined) delete at[keys[keys.length - 1]];
  else at[keys[keys.length - 1]] = value;
  return c as unknown as Canary;
}

export function fields(c: Canary): string[] {
  return validateCanary(c).map((i) => i.field);
}

export function issueAt(c: Canary, field: string): string {
  const issues = validateCanary(c);
  const found = issues.find((i) => i.field === field);
  if (!found) throw new Error(`no issue at ${field}; got ${JSON.stringify(issues)}`);
  return found.message;
}

/** The issues found in `c`, message by field. */
export function messages(c: Canary): Record<string, string> {
  return Object.fromEntries(validateCanary(c).map((i) => [i.field, i.message]));
}
