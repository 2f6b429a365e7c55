/**
 * The report's charts: the weight panel (configured weight as a step line, the observed share as
 * points, the judge's decision per interval above) and one panel per metric (its value against
 * its threshold, or the canary against the control with the confidence band of the shift).
 */
import { formatNumber } from '../judge/classify.ts';
import type {
  ControlComparison,
  MetricCheckRecord,
  ReleaseReportInput,
  ReportInterval,
  ThresholdCheck,
} from './model.ts';
import {
  axes,
  band,
  chart,
  decisionMarker,
  escapeXml,
  niceTicks,
  plotNote,
  polyline,
  px,
  stepBeforeLine,
  svgElement,
  timeTicks,
  verdictMarker,
  type Chart,
  type Point,
} from './svg.ts';

const WIDTH = 1000;
const HEIGHT = 260;
const MIN_SPAN = 10_000;

export const COLOURS = {
  configured: '#0969da',
  observed: '#1b7c83',
  value: '#0969da',
  control: '#57606a',
  band: '#0969da',
  max: '#cf222e',
  min: '#bc4c00',
};

/** Milliseconds of an ISO time, or a RangeError naming the field. */
export function parseTime(text: string, field: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new RangeError(`${field}: not an ISO time: ${JSON.stringify(text)}`);
  return ms;
}

/** From the release's start to its end, or to its last interval while it runs; at least 10 s. */
export function timeDomain(input: ReleaseReportInput): [number, number] {
  const start = parseTime(input.startedAt, 'startedAt');
  const times = input.intervals.map((interval, i) => parseTime(interval.at, `intervals[${i}].at`));
  const finished = input.finishedAt ? parseTime(input.finishedAt, 'finishedAt') : -Infinity;
  const first = Math.min(start, ...times);
  const last = Math.max(start, finished, ...times);
  return [first, Math.max(last, first + MIN_SPAN)];
}

/** HH:MM:SS of an ISO time in UTC, for tooltips. */
export function clockTime(iso: string): string {
  return new Date(Date.parse(iso)).toISOString().slice(11, 19);
}

export function withUnit(value: number, unit?: string): string {
  return `${formatNumber(value)}${unit ? (unit === '%' ? '%' : ` ${unit}`) : ''}`;
}

/** Points split where a value is missing, so a line does not bridge a gap. */
function runs<T>(items: readonly (T | undefined)[]): T[][] {
  const out: T[][] = [[]];
  for (const item of items) {
    if (item === undefined) {
      if (out[out.length - 1].length > 0) out.push([]);
    } else out[out.length - 1].push(item);
  }
  return out.filter((run) => run.length > 0);
}

function frame(xDomain: [number, number], values: readonly number[], top = 16) {
  const finite = values.filter((v) => Number.isFinite(v));
  const low = Math.min(...finite, Infinity);
  const high = Math.max(...finite, -Infinity);
  // A margin keeps a threshold or an extreme value off the frame, where it would be hard to see;
  // values that cannot be negative get no negative axis.
  const pad = (high - low) * 0.05;
  const { domain, ticks } = niceTicks(low >= 0 ? Math.max(0, low - pad) : low - pad, high + pad);
  const c = chart({
    width: WIDTH,
    height: HEIGHT,
    xDomain,
    yDomain: finite.length > 0 ? domain : [0, 1],
    margin: { top, right: 36, bottom: 36, left: 72 },
  });
  return { c, ticks };
}

function base(c: Chart, yTicks: readonly number[], yTitle: string, format: (v: number) => string): string {
  const xTicks = timeTicks(c.xDomain[0], c.xDomain[1]);
  return axes(
    c,
    xTicks,
    yTicks.map((value) => ({ value, label: format(value) })),
    yTitle,
  );
}

export function weightPanel(input: ReleaseReportInput, xDomain: [number, number]): string {
  const intervals = input.intervals;
  const times = intervals.map((i) => Date.parse(i.at));
  const weights = intervals.flatMap((i) => [
    i.weight,
    ...(i.observedWeight !== undefined ? [i.observedWeight] : []),
  ]);
  const { c, ticks } = frame(xDomain, [0, ...weights, 10], 32);
  const parts = [base(c, ticks, 'canary weight (%)', (v) => `${formatNumber(v)}%`)];
  if (intervals.length === 0) {
    parts.push(plotNote(c, 'No interval analysed yet'));
    return svgElement(c, 'Canary weight over the release: no interval yet', parts.join(''));
  }
  const configured = intervals.map((interval, k) => ({ t: times[k], v: interval.weight }));
  parts.push(
    stepBeforeLine(c, xDomain[0], configured, {
      className: 'configured-weight',
      stroke: COLOURS.configured,
      width: 2.5,
    }),
  );
  const observed = intervals.map((interval, k) =>
    interval.observedWeight === undefined ? undefined : { t: times[k], v: interval.observedWeight },
  );
  for (const run of runs(observed)) {
    parts.push(polyline(c, run, { className: 'observed-weight', stroke: COLOURS.observed, width: 1.5 }));
  }
  intervals.forEach((interval, k) => {
    const at = clockTime(interval.at);
    if (interval.observedWeight !== undefined) {
      const tip = `${at} observed ${formatNumber(interval.observedWeight)}% (configured ${formatNumber(interval.weight)}%)`;
      parts.push(
        `<g class="observed-point"><title>${escapeXml(tip)}</title><circle cx="${px(c.x(times[k]))}" cy="${px(c.y(interval.observedWeight))}" r="3.5" fill="${COLOURS.observed}"/></g>`,
      );
    }
    if (interval.judgement) {
      const { decision, score, reason } = interval.judgement;
      const tip = `${at} judge: ${decision}, score ${formatNumber(score)}${reason ? ` — ${reason}` : ''}`;
      parts.push(decisionMarker(c.x(times[k]), 14, decision, tip));
    }
  });
  if (intervals.some((i) => i.judgement)) {
    parts.push(
      `<text x="${px(c.plot.left - 6)}" y="14" text-anchor="end" dominant-baseline="middle">judge</text>`,
    );
  }
  return svgElement(c, 'Canary weight over the release: configured and observed', parts.join(''));
}

function checksOf<K extends MetricCheckRecord['kind']>(
  intervals: readonly ReportInterval[],
  metric: string,
  kind: K,
): { t: number; at: string; check: Extract<MetricCheckRecord, { kind: K }> }[] {
  return intervals.flatMap((interval) =>
    interval.metrics
      .filter((m): m is Extract<MetricCheckRecord, { kind: K }> => m.metric === metric && m.kind === kind)
      .map((check) => ({ t: Date.parse(interval.at), at: interval.at, check })),
  );
}

function tooltip(at: string, check: MetricCheckRecord, detail: string): string {
  return `${clockTime(at)} ${check.metric}: ${check.verdict}${detail ? ` (${detail})` : ''}${check.reason ? ` — ${check.reason}` : ''}`;
}

export function thresholdPanel(
  intervals: readonly ReportInterval[],
  metric: string,
  unit: string | undefined,
  xDomain: [number, number],
): string {
  const checks = checksOf(intervals, metric, 'threshold');
  const values = checks.flatMap(({ check }) =>
    [check.value, check.min, check.max].filter((v): v is number => v !== undefined),
  );
  const { c, ticks } = frame(xDomain, values);
  const parts = [base(c, ticks, unit ? `${metric} (${unit})` : metric, (v) => formatNumber(v))];
  for (const bound of ['max', 'min'] as const) {
    const points = checks.flatMap(({ t, check }) =>
      check[bound] === undefined ? [] : [{ t, v: check[bound] }],
    );
    parts.push(
      stepBeforeLine(c, xDomain[0], points, {
        className: `threshold-${bound}`,
        stroke: COLOURS[bound],
        width: 1.5,
        dashed: true,
      }),
    );
  }
  for (const run of runs(
    checks.map(({ t, check }) => (check.value === undefined ? undefined : { t, v: check.value })),
  )) {
    parts.push(polyline(c, run, { className: 'metric-value', stroke: COLOURS.value }));
  }
  for (const { t, at, check } of checks) parts.push(thresholdMarker(c, t, at, check, unit));
  if (checks.every(({ check }) => check.value === undefined)) parts.push(plotNote(c, 'No value measured'));
  return svgElement(c, `${metric} against its threshold`, parts.join(''));
}

function thresholdMarker(c: Chart, t: number, at: string, check: ThresholdCheck, unit?: string): string {
  const y = check.value === undefined ? c.plot.bottom : c.y(check.value);
  const bounds = [
    check.min !== undefined ? `min ${withUnit(check.min, unit)}` : '',
    check.max !== undefined ? `max ${withUnit(check.max, unit)}` : '',
  ].filter(Boolean);
  const value = check.value === undefined ? 'no value' : withUnit(check.value, unit);
  return verdictMarker(c.x(t), y, check.verdict, tooltip(at, check, [value, ...bounds].join(', ')));
}

export function controlPanel(
  intervals: readonly ReportInterval[],
  metric: string,
  unit: string | undefined,
  xDomain: [number, number],
): string {
  const checks = checksOf(intervals, metric, 'control');
  const bandPoints = checks.map(({ t, check }) =>
    check.control !== undefined && check.interval
      ? { t, low: check.control + check.interval.lower, high: check.control + check.interval.upper }
      : undefined,
  );
  const values = [
    ...checks.flatMap(({ check }) =>
      [check.canary, check.control].filter((v): v is number => v !== undefined),
    ),
    ...bandPoints.flatMap((p) => (p ? [p.low, p.high] : [])),
  ];
  const { c, ticks } = frame(xDomain, values);
  const parts = [base(c, ticks, unit ? `${metric} (${unit})` : metric, (v) => formatNumber(v))];
  for (const run of runs(bandPoints)) parts.push(band(c, run, 'canary-interval', COLOURS.band));
  const line = (key: 'canary' | 'control'): (Point | undefined)[] =>
    checks.map(({ t, check }) => (check[key] === undefined ? undefined : { t, v: check[key] }));
  for (const run of runs(line('control'))) {
    parts.push(
      polyline(c, run, { className: 'control-value', stroke: COLOURS.control, width: 2, dashed: true }),
    );
  }
  for (const run of runs(line('canary'))) {
    parts.push(polyline(c, run, { className: 'canary-value', stroke: COLOURS.value }));
  }
  for (const { t, at, check } of checks) parts.push(controlMarker(c, t, at, check, unit));
  if (values.length === 0) parts.push(plotNote(c, 'No data from canary or control'));
  return svgElement(c, `${metric}: canary against control`, parts.join(''));
}

export function comparisonSummary(check: ControlComparison, unit?: string): string {
  const parts: string[] = [];
  if (check.canary !== undefined) parts.push(`canary ${withUnit(check.canary, unit)}`);
  if (check.control !== undefined) parts.push(`control ${withUnit(check.control, unit)}`);
  if (check.estimate !== undefined) {
    const level = check.confidenceLevel !== undefined ? `${formatNumber(check.confidenceLevel * 100)}% ` : '';
    const ci = check.interval
      ? ` (${level}CI ${formatNumber(check.interval.lower)}..${formatNumber(check.interval.upper)})`
      : '';
    parts.push(`shift ${withUnit(check.estimate, unit)}${ci}`);
  }
  if (check.pValue !== undefined) parts.push(`p = ${formatNumber(check.pValue)}`);
  if (check.effectSize !== undefined) parts.push(`effect ${check.effectSize.toFixed(2)}×`);
  return parts.join(', ');
}

function controlMarker(c: Chart, t: number, at: string, check: ControlComparison, unit?: string): string {
  // Without a canary value the marker sits on the bottom axis, as a threshold metric's does.
  const y = check.canary === undefined ? c.plot.bottom : c.y(check.canary);
  return verdictMarker(c.x(t), y, check.verdict, tooltip(at, check, comparisonSummary(check, unit)));
}
