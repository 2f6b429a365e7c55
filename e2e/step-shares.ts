/**
 * The canary's share of user requests at each weight of a release, from the counts where requests
 * arrived (the pods' own counters on Traefik), against the binomial tolerance of that weight.
 *
 * A step's window runs from `settleMs` after its weight was seen on the canary Ingress (the data plane
 * has applied it by then) to `guardMs` before the next weight was seen (the data plane cannot apply a
 * weight before it is written, and the Ingress poll sees it at or after that).
 */
import { countsBetween, type CountsRecorder } from './counts-recorder.ts';
import type { RouteSample } from './scenario.ts';

/** Two-sided normal quantile for a false-alarm rate of about 1e-5 per step (P(|Z| > 4.4) ≈ 1.08e-5). */
export const Z = 4.4;
export const MIN_REQUESTS_PER_STEP = 300;

export interface StepShare {
  weight: number;
  /** User requests in the step's window (primary + canary). */
  requests: number;
  canary: number;
  expected: number;
  /** Z standard deviations of Binomial(requests, weight/100). */
  tolerance: number;
  withinTolerance: boolean;
}

export function stepShares(
  samples: readonly RouteSample[],
  recorder: CountsRecorder,
  { settleMs = 500, guardMs = 50 } = {},
): StepShare[] {
  const steps: StepShare[] = [];
  samples.forEach((sample, i) => {
    const next = samples[i + 1];
    if (!next || sample.weight <= 0 || sample.weight >= 100 || sample.header || sample.cookie) return;
    const start = recorder.after(sample.at + settleMs);
    const end = recorder.before(next.at - guardMs);
    if (!start || !end || end.to <= start.from) {
      steps.push({
        weight: sample.weight,
        requests: 0,
        canary: 0,
        expected: 0,
        tolerance: 0,
        withinTolerance: false,
      });
      return;
    }
    const d = countsBetween(start, end);
    steps.push(binomialShare(sample.weight, d.primary + d.canary, d.canary));
  });
  return steps;
}

/** `canary` of `requests` against the binomial tolerance of `weight` percent (at 0 and 100: exactly). */
export function binomialShare(weight: number, requests: number, canary: number): StepShare {
  const p = weight / 100;
  const expected = requests * p;
  const tolerance = Z * Math.sqrt(requests * p * (1 - p));
  return {
    weight,
    requests,
    canary,
    expected,
    tolerance,
    withinTolerance: Math.abs(canary - expected) <= tolerance,
  };
}

export function formatStep(s: StepShare): string {
  const share = s.requests ? ((100 * s.canary) / s.requests).toFixed(1) : '–';
  return (
    `weight ${s.weight}: canary ${s.canary}/${s.requests} = ${share}% ` +
    `(expected ${s.expected.toFixed(1)} ± ${s.tolerance.toFixed(1)}, z=${Z}) ${s.withinTolerance ? 'ok' : 'OUT'}`
  );
}
