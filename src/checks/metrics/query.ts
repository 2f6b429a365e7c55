/** Values a metric query template can use, as Flagger's MetricTemplate model. */
export interface QueryVars {
  /** Canary name. */
  name: string;
  namespace: string;
  /** targetRef name. */
  target: string;
  /** service.name, or the target name. */
  service: string;
  /** ingressRef name, or the target name. */
  ingress: string;
  /** The metric's interval, e.g. "1m". */
  interval: string;
  /** The metric's templateVariables, used as {{ variables.<key> }}. */
  variables?: Record<string, string>;
  /** Compared metrics only: the Deployment of the side queried (target or target-primary). */
  workload?: string;
  /** Compared metrics only: canary or control. */
  side?: 'canary' | 'control';
}

export const QUERY_VARIABLES = ['name', 'namespace', 'target', 'service', 'ingress', 'interval'] as const;
type QueryVariable = (typeof QUERY_VARIABLES)[number];

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

/** Variables that exist only while a compared metric's side is queried. */
const SIDE_VARIABLES = ['workload', 'side'] as const;

function knownVariables(vars: QueryVars): string[] {
  const extra = Object.keys(vars.variables ?? {}).map((k) => `variables.${k}`);
  const sides = vars.side ? SIDE_VARIABLES : [];
  return [...QUERY_VARIABLES, ...sides, ...extra];
}

/**
 * Replaces `{{ name }}`, `{{ namespace }}`, `{{ target }}`, `{{ service }}`, `{{ ingress }}`,
 * `{{ interval }}` and `{{ variables.<key> }}` (spaces inside the braces optional).
 * Throws an Error naming an unknown placeholder and listing the known ones.
 */
export function renderQuery(template: string, vars: QueryVars): string {
  return template.replace(PLACEHOLDER, (_match, inner: string) => {
    const key = inner.trim();
    if ((QUERY_VARIABLES as readonly string[]).includes(key)) return vars[key as QueryVariable];
    if (vars.side && (key === 'workload' || key === 'side')) return vars[key]!;
    if (key === 'workload' || key === 'side')
      throw new Error(
        `variable "${key}" exists only in compared metrics (metrics[].compare), where the query runs once for the canary and once for the primary`,
      );
    if (key.startsWith('variables.')) {
      const name = key.slice('variables.'.length);
      const value = vars.variables && Object.hasOwn(vars.variables, name) ? vars.variables[name] : undefined;
      if (value !== undefined) return value;
    }
    throw new Error(
      `unknown variable "${key}" in metric query; known variables: ${knownVariables(vars).join(', ')}`,
    );
  });
}
