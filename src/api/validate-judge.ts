/** Checks of the judge's fields that a schema cannot express (docs/judge.md). */
import { topStepWeight } from './steps.ts';
import { DEFAULT_GROUP, resolveGroupWeights } from '../judge/score.ts';
import { GATEWAY_API_PROVIDER, type CanaryAnalysis, type CanaryMetric } from './types.ts';

interface Issue {
  field: string;
  message: string;
}

const ANALYSIS = 'spec.analysis';

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function comparedMetricIssues(metric: CanaryMetric, path: string): Issue[] {
  const issues: Issue[] = [];
  if (metric.threshold !== undefined || metric.thresholdRange !== undefined) {
    issues.push({
      field: `${path}.compare`,
      message:
        'a compared metric is judged against the primary, not against a fixed range: remove threshold/thresholdRange, or remove compare and keep the range',
    });
  }
  const compare = metric.compare!;
  if (compare.direction === 'decrease' && compare.allowedIncrease !== undefined) {
    issues.push({
      field: `${path}.compare.allowedIncrease`,
      message: 'has no effect with direction decrease: remove it or set direction either',
    });
  }
  if (compare.direction === 'increase' && compare.allowedDecrease !== undefined) {
    issues.push({
      field: `${path}.compare.allowedDecrease`,
      message: 'has no effect with direction increase: remove it or set direction either',
    });
  }
  if (isNumber(compare.allowedIncrease) && compare.allowedIncrease < 1) {
    issues.push({
      field: `${path}.compare.allowedIncrease`,
      message: `${compare.allowedIncrease} is below 1, so a canary lower than the control would count as an increase: use a ratio ≥ 1 such as 1.1 (10 % higher)`,
    });
  }
  if (isNumber(compare.allowedDecrease) && compare.allowedDecrease > 1) {
    issues.push({
      field: `${path}.compare.allowedDecrease`,
      message: `${compare.allowedDecrease} is above 1: use a ratio ≤ 1 such as 0.9 (10 % lower)`,
    });
  }
  return issues;
}

/** The highest weight the schedule reaches: the largest stepWeights entry, else maxWeight (default 100). */
function highestWeight(analysis: CanaryAnalysis): number {
  if (Array.isArray(analysis.steps) && analysis.steps.length > 0) return topStepWeight(analysis.steps);
  const steps = Array.isArray(analysis.stepWeights) ? analysis.stepWeights.filter(isNumber) : [];
  if (steps.length > 0) return Math.max(...steps);
  return isNumber(analysis.maxWeight) ? analysis.maxWeight : 100;
}

/** A baseline needs a router that gives it its own share, and room for it next to the canary. */
function baselineIssues(analysis: CanaryAnalysis, provider: string | undefined): Issue[] {
  const field = `${ANALYSIS}.judge.baseline`;
  if (provider !== GATEWAY_API_PROVIDER)
    return [
      {
        field,
        message: `needs spec.provider ${GATEWAY_API_PROVIDER}: ingress-nginx's canary Ingress has one weight (canary-weight) and cannot give a baseline its own share; route with Gateway API or remove baseline (the primary is then the control)`,
      },
    ];
  if (isNumber(analysis.iterations) && analysis.iterations > 0)
    return [
      {
        field,
        message:
          'needs a weighted canary: with iterations (A/B testing or Blue/Green) the baseline would get no share of its own; use stepWeight or stepWeights, or remove baseline',
      },
    ];
  const max = highestWeight(analysis);
  if (max > 50)
    return [
      {
        field,
        message: `the canary's weight reaches ${max}, but the baseline gets the same weight and the primary 100 - 2 × weight: set maxWeight (or the last stepWeights entry) to at most 50, or remove baseline`,
      },
    ];
  return [];
}

/** Issues of metrics[].compare and analysis.judge; `provider` is spec.provider. */
export function judgeIssues(analysis: CanaryAnalysis, provider?: string): Issue[] {
  const issues: Issue[] = [];
  const metrics = Array.isArray(analysis.metrics) ? analysis.metrics : [];
  const groups = new Set<string>();
  metrics.forEach((metric, i) => {
    if (!metric || typeof metric !== 'object' || !metric.compare || typeof metric.compare !== 'object')
      return;
    issues.push(...comparedMetricIssues(metric, `${ANALYSIS}.metrics[${i}]`));
    const named = Array.isArray(metric.compare.groups) ? metric.compare.groups : [];
    for (const group of named.length > 0 ? named : [DEFAULT_GROUP]) groups.add(group);
  });
  const judge = analysis.judge;
  if (!judge || typeof judge !== 'object') return issues;
  if (groups.size === 0) {
    issues.push({
      field: `${ANALYSIS}.judge`,
      message:
        'no metric has compare set, so there is nothing to judge: add compare to a metric or remove judge',
    });
    return issues;
  }
  if (judge.baseline === true) issues.push(...baselineIssues(analysis, provider));
  const thresholds = judge.thresholds;
  if (
    thresholds &&
    isNumber(thresholds.pass) &&
    isNumber(thresholds.marginal) &&
    thresholds.marginal > thresholds.pass
  ) {
    issues.push({
      field: `${ANALYSIS}.judge.thresholds`,
      message: `marginal ${thresholds.marginal} is above pass ${thresholds.pass}: marginal must be at most pass`,
    });
  }
  const weights = judge.groupWeights;
  if (weights && typeof weights === 'object' && Object.values(weights).every(isNumber)) {
    try {
      resolveGroupWeights([...groups], weights);
    } catch (err) {
      issues.push({
        field: `${ANALYSIS}.judge.groupWeights`,
        message: `${(err as Error).message} (the groups of the compared metrics are ${[...groups].join(', ')})`,
      });
    }
  }
  return issues;
}
