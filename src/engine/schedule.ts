import type { CanaryAnalysis } from '../api/types.ts';

/** The highest weight the canary gets: the last of stepWeights, else maxWeight (default 100). */
export function maxWeightOf(analysis: CanaryAnalysis): number {
  if (analysis.stepWeights && analysis.stepWeights.length > 0)
    return analysis.stepWeights[analysis.stepWeights.length - 1];
  return Math.min(analysis.maxWeight ?? 100, 100);
}

/** The weight after `current` passes one analysis step; never above the maximum. */
export function nextWeight(current: number, analysis: CanaryAnalysis): number {
  const max = maxWeightOf(analysis);
  if (analysis.stepWeights && analysis.stepWeights.length > 0) {
    const next = analysis.stepWeights.find((w) => w > current);
    return Math.min(next ?? max, max);
  }
  const step = analysis.stepWeight ?? 10;
  return Math.min(current + Math.max(step, 1), max);
}

/** Index (1-based) of the step `weight` belongs to, and how many steps the schedule has. */
export function stepOf(weight: number, analysis: CanaryAnalysis): { step: number; steps: number } {
  const weights: number[] = [];
  for (let w = 0; w < maxWeightOf(analysis);) {
    w = nextWeight(w, analysis);
    weights.push(w);
  }
  const step = weights.filter((w) => w <= weight).length;
  return { step, steps: weights.length };
}

/** Iteration strategies (A/B with match, Blue/Green without) analyse at a fixed weight for N iterations. */
export function strategyOf(analysis: CanaryAnalysis): 'canary' | 'ab' | 'bluegreen' {
  if ((analysis.iterations ?? 0) > 0) return analysis.match && analysis.match.length > 0 ? 'ab' : 'bluegreen';
  return 'canary';
}
