/**
 * The latest analysis interval of `kanaria get canary`: one row per metric with its verdict, the
 * canary's value, what it was held against and the statistics or reason behind the verdict, then the
 * judge's decision and a hold for promotion. Pure: built from status.analysis and the time.
 */
import type { ControlComparison, MetricCheckRecord, RecordVerdict, ThresholdCheck } from '../api/analysis.ts';
import type { Canary } from '../api/types.ts';
import { formatNumber } from '../judge/classify.ts';
import { withUnit } from '../report/panels.ts';
import { formatAge, formatTime, paint, pad, table, withSymbol, type RenderOptions } from './text.ts';
import type { Tone } from './view.ts';

export interface MetricRow {
  metric: string;
  verdict: RecordVerdict;
  value: string;
  against: string;
  detail: string;
}

export interface AnalysisView {
  /** The revision status.analysis is about. */
  revision: string;
  /** Set when that is not status.revision: a newer release has not been analysed yet. */
  currentRevision?: string;
  /** `<time> (<age> ago)` of the latest interval. */
  at: string;
  /** Its number among the release's intervals (those left out of status count). */
  interval: number;
  weight: number;
  rows: MetricRow[];
  /** `fail, score 0: <reason>`. */
  judgement?: string;
  held?: string;
}

/** Longest threshold reason shown; the report has the whole of it. */
export const REASON_WIDTH = 60;

const VERDICT_TONE: Record<RecordVerdict, Tone> = {
  Pass: 'ok',
  High: 'failed',
  Low: 'failed',
  NoData: 'idle',
  Inconclusive: 'paused',
  Error: 'failed',
};

const signed = (value: number, unit?: string) => `${value > 0 ? '+' : ''}${withUnit(value, unit)}`;

/** `p=0.0003`; below 0.0001 only that it is. */
export function formatPValue(p: number): string {
  return p < 1e-4 ? 'p<0.0001' : `p=${Number(p.toPrecision(2))}`;
}

export function shorten(text: string, max = REASON_WIDTH): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function thresholdRow(check: ThresholdCheck): MetricRow {
  const { min, max, unit } = check;
  const against =
    min !== undefined && max !== undefined
      ? `${formatNumber(min)}..${withUnit(max, unit)}`
      : max !== undefined
        ? `≤ ${withUnit(max, unit)}`
        : min !== undefined
          ? `≥ ${withUnit(min, unit)}`
          : '';
  return {
    metric: check.metric,
    verdict: check.verdict,
    value: check.value === undefined ? 'no value' : withUnit(check.value, unit),
    against,
    detail: check.reason ? shorten(check.reason) : '',
  };
}

/** `p=0.0003 est +30.1 ms [27..33.2] n=20/20`, with what is known of it. */
export function comparisonDetail(check: ControlComparison): string {
  const parts: string[] = [];
  if (check.pValue !== undefined) parts.push(formatPValue(check.pValue));
  if (check.estimate !== undefined) {
    const ci = check.interval
      ? ` [${formatNumber(check.interval.lower)}..${formatNumber(check.interval.upper)}]`
      : '';
    parts.push(`est ${signed(check.estimate, check.unit)}${ci}`);
  }
  if (check.canarySize !== undefined || check.controlSize !== undefined)
    parts.push(`n=${check.canarySize ?? 0}/${check.controlSize ?? 0}`);
  if (parts.length === 0 && check.reason) parts.push(shorten(check.reason));
  return parts.join(' ');
}

function controlRow(check: ControlComparison): MetricRow {
  return {
    metric: check.metric,
    verdict: check.verdict,
    value: check.canary === undefined ? 'no value' : withUnit(check.canary, check.unit),
    against: `control ${check.control === undefined ? 'no value' : withUnit(check.control, check.unit)}`,
    detail: comparisonDetail(check),
  };
}

export function metricRow(check: MetricCheckRecord): MetricRow {
  return check.kind === 'threshold' ? thresholdRow(check) : controlRow(check);
}

/** The latest interval of status.analysis; undefined while it has none. */
export function analysisViewOf(canary: Canary, now: number): AnalysisView | undefined {
  const status = canary.status ?? {};
  const record = status.analysis;
  const latest = record?.intervals?.[record.intervals.length - 1];
  if (!record || !latest) return undefined;
  const at = Date.parse(latest.at);
  const judgement = latest.judgement;
  return {
    revision: record.revision,
    ...(status.revision && status.revision !== record.revision ? { currentRevision: status.revision } : {}),
    at: Number.isFinite(at) ? `${formatTime(at)} (${formatAge(now - at)} ago)` : latest.at,
    interval: (record.omittedIntervals ?? 0) + record.intervals.length,
    weight: latest.weight,
    rows: latest.metrics.map(metricRow),
    ...(judgement
      ? {
          judgement: `${judgement.decision}, score ${formatNumber(judgement.score)}${judgement.reason ? `: ${judgement.reason}` : ''}`,
        }
      : {}),
    ...(record.held ? { held: `${record.held.reason} (kanaria promote ${canary.metadata.name})` } : {}),
  };
}

/** Width of the labels of `kanaria get canary`'s fields. */
const LABEL = 17;

/** The lines `kanaria get canary` shows for the latest interval. */
export function analysisLines(view: AnalysisView, opts: RenderOptions = {}): string[] {
  const of = view.currentRevision ? ` (not yet of the current revision ${view.currentRevision})` : '';
  const lines = [
    `${pad('Analysis:', LABEL)}interval ${view.interval} of revision ${view.revision}${of}, at ${view.at}, weight ${view.weight}%`,
  ];
  if (view.rows.length > 0)
    lines.push(
      ...table(
        [
          ['METRIC', 'VERDICT', 'VALUE', 'AGAINST', 'DETAIL'],
          ...view.rows.map((r) => [
            r.metric,
            withSymbol(r.verdict, VERDICT_TONE[r.verdict], opts),
            r.value,
            r.against,
            r.detail,
          ]),
        ],
        '  ',
      ),
    );
  else lines.push('  no metric checked in this interval');
  if (view.judgement) lines.push(`  Judge: ${view.judgement}`);
  if (view.held) lines.push(`  ${paint('Held for promotion:', 'paused', opts)} ${view.held}`);
  return lines;
}
