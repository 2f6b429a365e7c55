/** Validation of analysis.steps: one action per step, and what steps cannot be combined with. */
import type { ValidationIssue } from './schema-check.ts';
import type { ReleaseStep } from './steps.ts';
import type { CanarySpec, HttpMatch } from './types.ts';
import { matchListIssues } from './validate-routing.ts';

const STEPS = 'spec.analysis.steps';

/** Fields of the other strategies, and why each cannot go with steps. */
const CONFLICTS: [field: string, why: string][] = [
  ['stepWeight', 'setWeight steps give the weights'],
  ['stepWeights', 'setWeight steps give the weights'],
  ['maxWeight', 'the highest setWeight is the maximum'],
  ['stepWeightPromotion', 'promotion after the last step moves all traffic at once'],
  [
    'iterations',
    'iterations analyse at one fixed route (A/B or Blue/Green); with steps a setHeaderRoute step routes by header and each step lasts its interval or pause',
  ],
  [
    'match',
    'put the header conditions in a setHeaderRoute step, e.g. steps: [{setHeaderRoute: {match: [...]}}, ...]',
  ],
];

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
}

function actionsOf(step: ReleaseStep): string[] {
  return (['setWeight', 'setHeaderRoute', 'pause'] as const).filter((key) => isSet(step?.[key]));
}

/** Issues of spec.analysis.steps; none when the Canary has no steps. */
export function stepsIssues(spec: CanarySpec): ValidationIssue[] {
  const analysis = spec.analysis;
  const steps = Array.isArray(analysis.steps) ? analysis.steps : [];
  if (steps.length === 0) return [];
  const issues: ValidationIssue[] = [];
  const record = analysis as unknown as Record<string, unknown>;
  for (const [field, why] of CONFLICTS)
    if (isSet(record[field]) && !(field === 'iterations' && record[field] === 0))
      issues.push({
        field: `spec.analysis.${field}`,
        message: `cannot be combined with analysis.steps: ${why}; remove ${field} or steps`,
      });

  let header: HttpMatch[] | undefined;
  let routesTraffic = false;
  steps.forEach((step, i) => {
    const field = `${STEPS}[${i}]`;
    const actions = actionsOf(step);
    if (actions.length !== 1) {
      issues.push({
        field,
        message:
          actions.length === 0
            ? 'sets nothing: give it one of setWeight (e.g. 10), setHeaderRoute ({match: [...]}) or pause ({} or {duration: 10m})'
            : `sets ${actions.join(' and ')}: a step does one thing; split it into ${actions.length} steps`,
      });
      return;
    }
    if (typeof step.setWeight === 'number' && step.setWeight > 0) routesTraffic = true;
    const route = step.setHeaderRoute;
    if (route) {
      const match = Array.isArray(route.match) ? route.match : [];
      if (match.length > 0) {
        routesTraffic = true;
        header = match;
        issues.push(...matchListIssues(match, `${field}.setHeaderRoute.match`, spec.provider));
      } else if (!header) {
        issues.push({
          field: `${field}.setHeaderRoute`,
          message:
            'has no match, which removes the header route, but no earlier step sets one: add match conditions (e.g. {headers: {x-canary: {exact: insider}}}) or remove the step',
        });
      } else header = undefined;
    }
  });
  if (!routesTraffic)
    issues.push({
      field: STEPS,
      message:
        'send the canary no requests (no setWeight above 0 and no setHeaderRoute with match), so nothing could be analysed: add e.g. {setWeight: 10}',
    });
  return issues;
}
