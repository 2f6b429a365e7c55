/** The records status keeps of the judge's classifications and decisions (src/api/analysis.ts). */
import type { ControlComparison, IntervalJudgement } from '../api/analysis.ts';
import type { MetricClassification } from './classify.ts';
import type { Judgement } from './score.ts';

/** The record of a judge's classification, with what JSON can hold (an open interval end is left out). */
export function comparisonRecord(classification: MetricClassification, unit?: string): ControlComparison {
  const { statistics, verdict, reason, metric } = classification;
  const test = statistics.test;
  const interval =
    test && Number.isFinite(test.interval[0]) && Number.isFinite(test.interval[1])
      ? { lower: test.interval[0], upper: test.interval[1] }
      : undefined;
  return {
    kind: 'control',
    metric,
    ...(unit ? { unit } : {}),
    ...(statistics.canaryMean !== undefined ? { canary: statistics.canaryMean } : {}),
    ...(statistics.controlMean !== undefined ? { control: statistics.controlMean } : {}),
    canarySize: statistics.canarySize,
    controlSize: statistics.controlSize,
    ...(test
      ? { estimate: test.estimate, confidenceLevel: test.confLevel, pValue: test.pValue, w: test.w }
      : {}),
    ...(interval ? { interval } : {}),
    ...(statistics.effectSize !== undefined ? { effectSize: statistics.effectSize } : {}),
    verdict,
    reason,
  };
}

export function judgementRecord(judgement: Judgement): IntervalJudgement {
  return { decision: judgement.decision, score: judgement.score, reason: judgement.reason };
}
