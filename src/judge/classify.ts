/**
 * Per-metric judgement of a canary against its control, after Kayenta's NetflixACAJudge and its
 * MannWhitneyClassifier (docs/judge.md says which behaviour comes from where): a two-sided
 * Mann-Whitney test of canary − control, a verdict from where the confidence interval of the
 * Hodges-Lehmann shift lies, an effect-size tolerance on the ratio of the means, and a sentence
 * that names the values behind the verdict. Pure: no clock, no I/O.
 */
import { mannWhitneyTest, type MannWhitneyResult } from '../stats/mann-whitney.ts';

export type Direction = 'increase' | 'decrease' | 'either';
export type MetricVerdict = 'Pass' | 'High' | 'Low' | 'NoData' | 'Inconclusive';

export const DEFAULT_CONFIDENCE_LEVEL = 0.98;
/**
 * With 5 values on each side the exact test can just reach a 98 % two-sided interval
 * (P(U = 0) = 1/252 < 1 %); with 4 it cannot (1/70).
 */
export const DEFAULT_MIN_SAMPLE_SIZE = 5;
/**
 * Kayenta's fixed tolerance: the interval must clear zero by a quarter of the estimate's size,
 * so a shift that is significant but small next to its own uncertainty passes.
 */
export const ESTIMATE_TOLERANCE = 0.25;

export interface MetricJudgeConfig {
  name: string;
  /** Shown after values in the reason, e.g. 'ms'. */
  unit?: string;
  /** Which change fails the metric; default 'either'. */
  direction?: Direction;
  /** Canary mean / control mean at or above which a significant increase fails; default 1. */
  allowedIncrease?: number;
  /** Canary mean / control mean at or below which a significant decrease fails; default 1. */
  allowedDecrease?: number;
  /** For a critical metric: the ratio at or above which a High fails the whole check; default 1. */
  criticalIncrease?: number;
  /** For a critical metric: the ratio at or below which a Low fails the whole check; default 1. */
  criticalDecrease?: number;
  /** Two-sided confidence level of the interval, default 0.98. */
  confidenceLevel?: number;
  /** High or Low fails the whole check, whatever the score. */
  critical?: boolean;
  /** NoData counts as a failed metric (and fails the whole check when the metric is critical). */
  required?: boolean;
  /** Fewer values than this on either side is Inconclusive; default 5. */
  minSampleSize?: number;
}

export interface MetricStatistics {
  canarySize: number;
  controlSize: number;
  /** Values dropped because they were NaN or infinite (e.g. a rate over zero requests). */
  canaryDiscarded: number;
  controlDiscarded: number;
  canaryMean?: number;
  controlMean?: number;
  /** Canary mean / control mean; absent when either mean is 0 (the tolerance is then not applied). */
  effectSize?: number;
  /** The Mann-Whitney test of canary − control, when there were enough values. */
  test?: Pick<MannWhitneyResult, 'w' | 'pValue' | 'estimate' | 'interval' | 'confLevel' | 'method'>;
}

export interface MetricClassification {
  metric: string;
  verdict: MetricVerdict;
  /** The verdict counts as a failed metric in its group's score (High, Low, required NoData). */
  failed: boolean;
  /** The verdict fails the whole check (a critical metric's High/Low, or its required NoData). */
  critical: boolean;
  statistics: MetricStatistics;
  reason: string;
}

function finite(values: readonly number[]): number[] {
  return values.filter((v) => Number.isFinite(v));
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function sameValues(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  const sortedA = [...a].sort((x, y) => x - y);
  const sortedB = [...b].sort((x, y) => x - y);
  return sortedA.every((v, i) => v === sortedB[i]);
}

/** Four significant digits, without exponent for everyday magnitudes. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6 || magnitude < 1e-3) return value.toPrecision(3);
  return String(Number(value.toPrecision(4)));
}

function signed(value: number, unit: string | undefined): string {
  const text = formatNumber(value);
  return `${value > 0 ? '+' : ''}${text}${unit ? ` ${unit}` : ''}`;
}

function percent(level: number): string {
  return `${Number((level * 100).toFixed(1))}%`;
}

function ratio(value: number): string {
  return `${value.toFixed(2)}×`;
}

function validate(config: MetricJudgeConfig): void {
  const level = config.confidenceLevel ?? DEFAULT_CONFIDENCE_LEVEL;
  if (!(level > 0 && level < 1))
    throw new RangeError(`${config.name}: confidenceLevel must be in (0, 1), got ${level}`);
  const minimum = config.minSampleSize ?? DEFAULT_MIN_SAMPLE_SIZE;
  if (!Number.isInteger(minimum) || minimum < 1) {
    throw new RangeError(`${config.name}: minSampleSize must be a whole number ≥ 1, got ${minimum}`);
  }
  for (const key of ['allowedIncrease', 'allowedDecrease', 'criticalIncrease', 'criticalDecrease'] as const) {
    const value = config[key];
    if (value !== undefined && !(value > 0 && Number.isFinite(value))) {
      throw new RangeError(`${config.name}: ${key} must be a positive ratio, got ${value}`);
    }
  }
}

/**
 * Judges one metric: `canary` and `control` are the values of its series over the same window.
 * NoData when a side has no numeric value, Inconclusive when a side has fewer than minSampleSize,
 * Pass when both hold the same values, else the Mann-Whitney verdict.
 */
export function classifyMetric(
  config: MetricJudgeConfig,
  canaryValues: readonly number[],
  controlValues: readonly number[],
): MetricClassification {
  validate(config);
  const { name } = config;
  const canary = finite(canaryValues);
  const control = finite(controlValues);
  const statistics: MetricStatistics = {
    canarySize: canary.length,
    controlSize: control.length,
    canaryDiscarded: canaryValues.length - canary.length,
    controlDiscarded: controlValues.length - control.length,
  };
  const required = config.required ?? false;
  const critical = config.critical ?? false;
  const sizes = `canary ${canary.length}, control ${control.length} values`;

  // One side without values while the other has some is a quiet side (too few requests), not a missing
  // metric: Inconclusive below, unless the metric must have data.
  const quiet = !required && (canary.length > 0 || control.length > 0);
  if ((canary.length === 0 || control.length === 0) && !quiet) {
    const missing =
      canary.length === 0 && control.length === 0
        ? 'canary and control'
        : canary.length === 0
          ? 'canary'
          : 'control';
    const discarded = statistics.canaryDiscarded + statistics.controlDiscarded;
    const consequence = !required ? 'not required, ignored' : critical ? 'required and critical' : 'required';
    return {
      metric: name,
      verdict: 'NoData',
      failed: required,
      critical: required && critical,
      statistics,
      reason: `${name}: no data from the ${missing} (${sizes}${discarded ? `, ${discarded} not numbers` : ''}); ${consequence}`,
    };
  }

  if (canary.length > 0) statistics.canaryMean = mean(canary);
  if (control.length > 0) statistics.controlMean = mean(control);
  if (statistics.canaryMean && statistics.controlMean) {
    statistics.effectSize = statistics.canaryMean / statistics.controlMean;
  }

  const minimum = config.minSampleSize ?? DEFAULT_MIN_SAMPLE_SIZE;
  if (canary.length < minimum || control.length < minimum) {
    return {
      metric: name,
      verdict: 'Inconclusive',
      failed: false,
      critical: false,
      statistics,
      reason: `${name}: too few values to judge (${sizes}; at least ${minimum} needed on each side)`,
    };
  }

  if (sameValues(canary, control)) {
    return {
      metric: name,
      verdict: 'Pass',
      failed: false,
      critical: false,
      statistics,
      reason: `${name}: canary and control values are identical (${sizes})`,
    };
  }

  const result = mannWhitneyTest(canary, control, {
    confLevel: config.confidenceLevel ?? DEFAULT_CONFIDENCE_LEVEL,
  });
  const { w, pValue, estimate, interval, confLevel, method } = result;
  statistics.test = { w, pValue, estimate, interval, confLevel, method };
  return judgeShift(config, statistics, result);
}

function judgeShift(
  config: MetricJudgeConfig,
  statistics: MetricStatistics,
  result: MannWhitneyResult,
): MetricClassification {
  const { name, unit } = config;
  const direction = config.direction ?? 'either';
  const allowedIncrease = config.allowedIncrease ?? 1;
  const allowedDecrease = config.allowedDecrease ?? 1;
  const effect = statistics.effectSize;
  const bound = ESTIMATE_TOLERANCE * Math.abs(result.estimate);
  const [lower, upper] = result.interval;

  const shown =
    `estimate ${signed(result.estimate, unit)} (${percent(result.confLevel)} CI ` +
    `${signed(lower, undefined)}..${signed(upper, undefined)})`;
  const detail = `p = ${result.pValue.toPrecision(3)}, canary ${statistics.canarySize} vs control ${statistics.controlSize} values`;
  const effectText = effect === undefined ? 'effect n/a (a mean is 0)' : `effect ${ratio(effect)}`;

  const higher = lower > bound;
  const lowerShift = upper < -bound;
  const side = higher ? 'higher' : 'lower';
  const watched = higher ? direction !== 'decrease' : direction !== 'increase';
  const limit = higher ? allowedIncrease : allowedDecrease;
  const effectBeyond = effect === undefined || (higher ? effect >= limit : effect <= limit);

  if (!higher && !lowerShift) {
    return pass(`${name}: no significant difference: ${shown}, ${effectText}; ${detail}`);
  }
  if (!watched) {
    return pass(
      `${name}: canary ${side} than control: ${shown}, ${effectText}; only ${direction === 'increase' ? 'an increase' : 'a decrease'} fails this metric; ${detail}`,
    );
  }
  if (!effectBeyond) {
    return pass(
      `${name}: canary ${side} than control: ${shown}, but ${effectText} ${higher ? '<' : '>'} allowed ${ratio(limit)}; ${detail}`,
    );
  }

  const criticalLimit = higher ? (config.criticalIncrease ?? 1) : (config.criticalDecrease ?? 1);
  const critical =
    (config.critical ?? false) &&
    (effect === undefined || (higher ? effect >= criticalLimit : effect <= criticalLimit));
  const comparison =
    effect === undefined ? effectText : `${effectText} ${higher ? '≥' : '≤'} allowed ${ratio(limit)}`;
  const notCritical =
    config.critical && !critical ? ` (critical only at ${higher ? '≥' : '≤'} ${ratio(criticalLimit)})` : '';
  return {
    metric: name,
    verdict: higher ? 'High' : 'Low',
    failed: true,
    critical,
    statistics,
    reason: `${name}${critical ? ' (critical)' : ''}: canary ${side} than control: ${shown}, ${comparison}${notCritical}; ${detail}`,
  };

  function pass(reason: string): MetricClassification {
    return { metric: name, verdict: 'Pass', failed: false, critical: false, statistics, reason };
  }
}
