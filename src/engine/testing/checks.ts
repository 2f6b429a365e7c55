/** The checks of the fault property test's Canaries, as their pods and the data plane would answer them. */
import { classifyMetric } from '../../judge/classify.ts';
import type { CheckResult, CheckStage } from '../model.ts';
import type { World } from './world.ts';

/**
 * The data plane's request counters for one interval: 1,000 requests, split by the routed weight unless it
 * ignores the canary; `quiet`: the canary gets too few requests for the judge (its samples are Inconclusive).
 */
export interface DataPlane {
  ignoresCanary: boolean;
  quiet?: boolean;
}

/** A compared latency metric as the judge classifies it: a bad build 30 % slower, a quiet canary 3 samples. */
function comparedLatency(canary: number[]): CheckResult {
  const control = Array.from({ length: 12 }, (_, k) => 100 + (k % 5));
  const classification = classifyMetric(
    { name: 'latency', direction: 'increase', allowedIncrease: 1.1 },
    canary,
    control,
  );
  return {
    kind: 'compare',
    name: 'latency',
    ok: !classification.failed,
    message: classification.reason,
    comparison: { classification },
  };
}
const JUDGED = {
  slower: comparedLatency(Array.from({ length: 12 }, (_, k) => 130 + (k % 5))),
  quiet: comparedLatency([100, 101, 102]),
  same: comparedLatency(Array.from({ length: 12 }, (_, k) => 100 + ((k + 2) % 5))),
};

/**
 * The checks as the canary's real pods would answer them, with the data plane's counts for the observed
 * split; also notes the routes each analysis saw.
 */
export function failingChecks(
  w: World,
  bad: Set<string>,
  stages: CheckStage[],
  seen?: { weight: number; match: boolean }[],
  dataPlane: DataPlane = { ignoresCanary: false },
) {
  return (stage: CheckStage): CheckResult[] => {
    if (stage === 'analysis') seen?.push({ weight: w.weight, match: w.match });
    const failed: CheckResult[] =
      (stage === 'analysis' && bad.has(w.targetHash)) || stages.includes(stage)
        ? [{ kind: 'webhook', name: `hook-${stage}`, ok: false, message: `${stage} failed` }]
        : [];
    if (stage !== 'analysis') return failed;
    const canary = dataPlane.ignoresCanary ? 0 : w.weight * 10;
    const judged = (w.spec.analysis.metrics ?? []).length
      ? [bad.has(w.targetHash) ? JUDGED.slower : dataPlane.quiet ? JUDGED.quiet : JUDGED.same]
      : [];
    return [
      ...failed,
      ...judged,
      { kind: 'split', name: 'observed-split', ok: true, message: '', split: { canary, total: 1000 } },
    ];
  };
}
