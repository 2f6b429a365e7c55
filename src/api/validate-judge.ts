/** Checks of the judge's fields that a schema cannot express (docs/judge.md). */
import { DEFAULT_GROUP, resolveGroupWeights } from '../judge/score.ts';
import type { CanaryAnalysis, CanaryMetric } from './types.ts';

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

/** Issues of metrics[].compare and analysis.judge. */
export function judgeIssues(analysis: CanaryAnalysis): Issue[] {
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
