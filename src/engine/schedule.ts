import type { CanaryAnalysis } from '../api/types.ts';
import { releaseSteps, topStepWeight } from './steps.ts';

/** The highest weight the canary gets: the highest of steps, else the last of stepWeights, else maxWeight (default 100). */
export function maxWeightOf(analysis: CanaryAnalysis): number {
  const steps = releaseSteps(analysis);
  if (steps) return topStepWeight(steps);
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
export function stepOf(
  weight: number,
  analysis: CanaryAnalysis,
  currentStep?: number,
): { step: number; steps: number } {
  const steps = releaseSteps(analysis);
  if (steps) return { step: currentStep === undefined ? 0 : currentStep + 1, steps: steps.length };
  const weights: number[] = [];
  for (let w = 0; w < maxWeightOf(analysis);) {
    w = nextWeight(w, analysis);
    weights.push(w);
  }
  const step = weights.filter((w) => w <= weight).length;
  return { step, steps: weights.length };
}

/**
 * Iteration strategies (A/B with match, Blue/Green without) analyse at a fixed weight for N iterations;
 * `steps` follows analysis.steps; `canary` raises the weight by stepWeight or stepWeights.
 */
export function strategyOf(analysis: CanaryAnalysis): 'canary' | 'ab' | 'bluegreen' | 'steps' {
  if (releaseSteps(analysis)) return 'steps';
  if ((analysis.iterations ?? 0) > 0) return analysis.match && analysis.match.length > 0 ? 'ab' : 'bluegreen';
  return 'canary';
}
