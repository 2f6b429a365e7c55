/**
 * Judges the observed split: are the requests the canary received in the last interval compatible with the
 * weight it was given? A binomial test on the counts against the weights in force during the window. The
 * window may straddle the last change (routes take effect and counters are scraped a little late), so up to
 * STRADDLE of its requests may have been routed by the previous weight: any share between the current
 * weight and that mixture is compatible. One interval of a correctly routed canary is judged incompatible with probability at most
 * `falseAlarmRate`; the release halts only after `intervals` incompatible intervals in a row.
 */
import { recordedRoutes } from './routes.ts';
import type { CanaryStatus, ObservedSplit, ObservedSplitSpec } from '../api/types.ts';
import { logBinomialCdf, logBinomialUpperTail } from '../stats/binomial.ts';
import type { Decision } from './context.ts';
import type { CheckResult, Snapshot } from './model.ts';

export const SPLIT_DEFAULTS = { falseAlarmRate: 0.001, intervals: 2, minRequests: 50 } as const;

/** The largest part of an interval's requests that may have been routed by the previous weight. */
export const STRADDLE = 0.5;

/**
 * Whether a step's analysis counts the requests the canary received: the shell can count them (a Prometheus
 * is known and the Canary routes by Ingress), the check is on, and the canary is routed by a weight above 0.
 */
export function observesSplit(snapshot: Snapshot, status: CanaryStatus): boolean {
  const { analysis } = snapshot.spec;
  return (
    Boolean(snapshot.splitObservable) &&
    analysis.observedSplit?.enabled !== false &&
    (analysis.match ?? []).length === 0 &&
    // A header route sends the canary requests beyond its weight's share.
    !recordedRoutes(snapshot.spec, status).match &&
    (status.canaryWeight ?? 0) > 0
  );
}

/** The range of canary shares (percent) compatible with a window after a change from `previous` to `weight`. */
export function compatibleRange(previous: number, weight: number): [number, number] {
  const mixed = weight + STRADDLE * (previous - weight);
  return [Math.min(mixed, weight), Math.max(mixed, weight)];
}

export function splitSettings(spec: ObservedSplitSpec | undefined) {
  return {
    falseAlarmRate: spec?.falseAlarmRate ?? SPLIT_DEFAULTS.falseAlarmRate,
    intervals: spec?.intervals ?? SPLIT_DEFAULTS.intervals,
    minRequests: spec?.minRequests ?? SPLIT_DEFAULTS.minRequests,
  };
}

/**
 * Two-sided p-value of `canary` of `total` requests under "each request reaches the canary with a probability
 * between lowPercent and highPercent": the doubled tail beyond the nearer end of that range, 1 inside it.
 */
export function splitPValue(canary: number, total: number, lowPercent: number, highPercent: number): number {
  const low = Math.min(lowPercent, highPercent) / 100;
  const high = Math.max(lowPercent, highPercent) / 100;
  if (total === 0) return 1;
  const share = canary / total;
  let logTail: number;
  if (share < low) logTail = logBinomialCdf(canary, total, low);
  else if (share > high) logTail = logBinomialUpperTail(canary, total, high);
  else return 1;
  return Math.min(1, 2 * Math.exp(logTail));
}

function percent(value: number): string {
  return `${value.toFixed(1)}%`;
}

function expectedText(split: ObservedSplit): string {
  const [low, high] = compatibleRange(split.previousWeight, split.weight);
  return low === high ? `${high}%` : `${low}-${high}%`;
}

/** The Warning's text: "canary-weight 20 but 0.0% of 1,240 requests reached the canary (…)". */
export function splitMessage(split: ObservedSplit, falseAlarmRate: number): string {
  const p =
    split.pValue === undefined
      ? ''
      : `, binomial p ${split.pValue < 1e-6 ? '< 1e-6' : `= ${split.pValue.toPrecision(2)}`}`;
  return (
    `canary-weight ${split.weight} but ${percent(split.share)} of ${split.requests.toLocaleString('en-US')} requests ` +
    `reached the canary (expected ${expectedText(split)}${p}, false-alarm rate ${falseAlarmRate}, ` +
    `${split.incompatibleIntervals} intervals in a row)`
  );
}

/** What the last interval's split means for this step. */
export type SplitJudgement =
  | { verdict: 'none' }
  /** Incompatible, but fewer intervals in a row than configured: the weight is held, nothing failed yet. */
  | { verdict: 'hold'; message: string }
  | { verdict: 'halt'; failed: CheckResult };

/**
 * Records the last interval's split in status. An incompatible split holds the weight; after the configured
 * number of incompatible intervals in a row it is a failed check.
 */
export function judgeSplit(d: Decision, analysis: CheckResult[]): SplitJudgement {
  const counts = analysis.find((c) => c.kind === 'split')?.split;
  if (!counts || !d.splitObserved) return { verdict: 'none' };
  const weight = d.status.canaryWeight ?? 0;
  const settings = splitSettings(d.s.spec.analysis.observedSplit);
  const previousWeight = d.status.previousWeight ?? weight;
  const earlier = d.status.observedSplit?.incompatibleIntervals ?? 0;
  const split: ObservedSplit = {
    at: d.nowIso,
    weight,
    previousWeight,
    canaryRequests: counts.canary,
    requests: counts.total,
    share: counts.total === 0 ? 0 : Math.round((counts.canary / counts.total) * 1000) / 10,
    incompatibleIntervals: earlier,
  };
  if (counts.total >= settings.minRequests) {
    split.pValue = splitPValue(counts.canary, counts.total, ...compatibleRange(previousWeight, weight));
    split.incompatibleIntervals = split.pValue < settings.falseAlarmRate ? earlier + 1 : 0;
  }
  d.status.observedSplit = split;
  if (split.incompatibleIntervals === 0 || split.incompatibleIntervals === earlier)
    return { verdict: 'none' };
  const message = splitMessage(split, settings.falseAlarmRate);
  if (split.incompatibleIntervals < settings.intervals)
    return { verdict: 'hold', message: `holding at weight ${weight}: ${message}` };
  return {
    verdict: 'halt',
    failed: { kind: 'split', name: 'observed-split', ok: false, message, value: split.share },
  };
}
