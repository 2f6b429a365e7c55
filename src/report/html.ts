/**
 * The release report as one self-contained HTML document: inline CSS and SVG, no script, no URL,
 * no external font, so it opens from a file or a ConfigMap anywhere. Pure: the same input gives
 * the same string (no clock, no generated ids).
 */
import { formatNumber } from '../judge/classify.ts';
import {
  REPORT_VERDICTS,
  reportMetrics,
  type MetricCheckRecord,
  type ReleaseOutcome,
  type ReleaseReportInput,
  type ReportInterval,
} from './model.ts';
import {
  COLOURS,
  clockTime,
  comparisonSummary,
  controlPanel,
  parseTime,
  thresholdPanel,
  timeDomain,
  weightPanel,
  withUnit,
} from './panels.ts';
import { DECISION_COLOURS, VERDICT_COLOURS, escapeXml, verdictMarker } from './svg.ts';

const OUTCOME: Record<ReleaseOutcome, { label: string; colour: string }> = {
  Succeeded: { label: 'Succeeded', colour: '#1a7f37' },
  Failed: { label: 'Failed', colour: '#cf222e' },
  InProgress: { label: 'In progress', colour: '#0969da' },
};

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #24292f; margin: 24px auto; max-width: 1100px; padding: 0 16px; line-height: 1.4; }
h1 { font-size: 22px; margin: 0 0 12px; }
h2 { font-size: 17px; margin: 28px 0 6px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.facts dt { color: #57606a; }
dl.facts dd { margin: 0; }
.badge { display: inline-block; color: #ffffff; border-radius: 4px; padding: 0 6px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.legend { list-style: none; padding: 0; margin: 4px 0 8px; display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 13px; color: #57606a; }
.legend svg { width: 14px; height: 14px; vertical-align: middle; }
.swatch { display: inline-block; width: 22px; height: 0; border-top: 3px solid; vertical-align: middle; margin-right: 6px; }
.swatch.dashed { border-top-style: dashed; }
.swatch.area { height: 10px; border: none; opacity: 0.35; }
figure { margin: 0; }
svg { width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border: 1px solid #d0d7de; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; white-space: nowrap; }
.detail { color: #57606a; font-size: 12px; }
.reason { font-size: 12px; margin-top: 2px; overflow-wrap: anywhere; }
p.empty { color: #57606a; }
footer { margin-top: 24px; color: #57606a; font-size: 12px; }
`;

function badge(label: string, colour: string, className: string): string {
  return `<span class="badge ${className}" style="background:${colour}">${escapeXml(label)}</span>`;
}

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', s || (!h && !m) ? `${s}s` : ''].filter(Boolean).join(' ');
}

function utc(iso: string): string {
  return `${new Date(Date.parse(iso))
    .toISOString()
    .replace('T', ' ')
    .replace(/\.000Z$|Z$/, '')} UTC`;
}

function header(input: ReleaseReportInput): string {
  const id = `${input.canary.namespace}/${input.canary.name}`;
  const outcome = OUTCOME[input.outcome];
  const start = parseTime(input.startedAt, 'startedAt');
  const finished = input.finishedAt
    ? `${escapeXml(utc(input.finishedAt))} (after ${duration(parseTime(input.finishedAt, 'finishedAt') - start)})`
    : 'not yet: the release is in progress';
  const last = input.intervals[input.intervals.length - 1];
  const facts: [string, string][] = [
    ['Canary', escapeXml(id)],
    ['Revision', input.revision ? `<code>${escapeXml(input.revision)}</code>` : 'unknown'],
    ['Started', escapeXml(utc(input.startedAt))],
    ['Finished', finished],
    ['Outcome', badge(outcome.label, outcome.colour, 'outcome')],
    ['Reason', input.reason ? escapeXml(input.reason) : '—'],
    [
      'Intervals',
      `${input.intervals.length}${last ? `, last at ${escapeXml(clockTime(last.at))} with weight ${formatNumber(last.weight)}%` : ''}`,
    ],
  ];
  return (
    `<header><h1>Release report: ${escapeXml(id)}</h1><dl class="facts">` +
    facts.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join('') +
    `</dl></header>`
  );
}

function swatch(label: string, colour: string, kind: 'line' | 'dashed' | 'area' = 'line'): string {
  const style = kind === 'area' ? `background:${colour}` : `border-color:${colour}`;
  const cls = kind === 'line' ? 'swatch' : `swatch ${kind}`;
  return `<li><span class="${cls}" style="${style}"></span>${escapeXml(label)}</li>`;
}

function verdictLegend(): string {
  const items = REPORT_VERDICTS.map(
    (verdict) =>
      `<li><svg viewBox="0 0 14 14" width="14" height="14">${verdictMarker(7, 7, verdict, verdict)}</svg> ${verdict}</li>`,
  );
  return `<ul class="legend verdicts"><li>Verdict markers:</li>${items.join('')}</ul>`;
}

function weightSection(input: ReleaseReportInput, xDomain: [number, number]): string {
  const decisions = Object.entries(DECISION_COLOURS).map(
    ([decision, colour]) =>
      `<li><span class="swatch area" style="background:${colour};opacity:1;width:10px"></span>judge: ${decision}</li>`,
  );
  return (
    `<section class="panel weight"><h2>Weight</h2><ul class="legend">` +
    swatch('configured weight', COLOURS.configured) +
    swatch('observed share at the data plane', COLOURS.observed) +
    decisions.join('') +
    `</ul><figure>${weightPanel(input, xDomain)}</figure></section>`
  );
}

function thresholdLegend(intervals: readonly ReportInterval[], metric: string): string {
  const checks = intervals.flatMap((i) =>
    i.metrics.filter((m) => m.metric === metric && m.kind === 'threshold'),
  );
  const has = (bound: 'min' | 'max') => checks.some((c) => c.kind === 'threshold' && c[bound] !== undefined);
  return (
    (has('max') ? swatch('max threshold', COLOURS.max, 'dashed') : '') +
    (has('min') ? swatch('min threshold', COLOURS.min, 'dashed') : '')
  );
}

function metricSections(input: ReleaseReportInput, xDomain: [number, number]): string {
  const metrics = reportMetrics(input.intervals);
  if (metrics.length === 0) {
    return `<h2>Metrics</h2><p class="empty">No metric was checked in this release.</p>`;
  }
  const sections = metrics.map(({ metric, kind, unit }) => {
    const legend =
      kind === 'threshold'
        ? swatch('value', COLOURS.value) + thresholdLegend(input.intervals, metric)
        : swatch('canary', COLOURS.value) +
          swatch('control', COLOURS.control, 'dashed') +
          swatch('control + confidence interval of the shift', COLOURS.band, 'area');
    const chart =
      kind === 'threshold'
        ? thresholdPanel(input.intervals, metric, unit, xDomain)
        : controlPanel(input.intervals, metric, unit, xDomain);
    const against = kind === 'threshold' ? 'against its threshold' : 'canary against control';
    return (
      `<section class="panel metric" data-metric="${escapeXml(metric)}"><h2>${escapeXml(metric)} <span class="detail">${against}</span></h2>` +
      `<ul class="legend">${legend}</ul><figure>${chart}</figure></section>`
    );
  });
  return verdictLegend() + sections.join('');
}

function checkCell(check: MetricCheckRecord | undefined): string {
  if (!check) return '<td class="check">—</td>';
  const unit = check.unit;
  let detail: string;
  if (check.kind === 'threshold') {
    const bounds = [
      check.min !== undefined ? `min ${withUnit(check.min, unit)}` : '',
      check.max !== undefined ? `max ${withUnit(check.max, unit)}` : '',
    ].filter(Boolean);
    const value = check.value === undefined ? 'no value' : withUnit(check.value, unit);
    detail = bounds.length > 0 ? `${value} (${bounds.join(', ')})` : value;
  } else {
    detail = comparisonSummary(check, unit);
  }
  return (
    `<td class="check">${badge(check.verdict, VERDICT_COLOURS[check.verdict], `verdict verdict-${check.verdict}`)}` +
    (detail ? ` <span class="detail">${escapeXml(detail)}</span>` : '') +
    (check.reason ? `<div class="reason">${escapeXml(check.reason)}</div>` : '') +
    `</td>`
  );
}

function intervalRow(interval: ReportInterval, metrics: readonly string[]): string {
  const judgement = interval.judgement;
  const judge = judgement
    ? `${badge(judgement.decision, DECISION_COLOURS[judgement.decision], `decision decision-${judgement.decision}`)} <span class="detail">score ${formatNumber(judgement.score)}</span>` +
      (judgement.reason ? `<div class="reason">${escapeXml(judgement.reason)}</div>` : '')
    : '—';
  const observed = interval.observedWeight === undefined ? '—' : `${formatNumber(interval.observedWeight)}%`;
  const cells = metrics.map((metric) => checkCell(interval.metrics.find((m) => m.metric === metric)));
  return (
    `<tr><td class="num">${escapeXml(clockTime(interval.at))}</td><td class="num">${formatNumber(interval.weight)}%</td>` +
    `<td class="num">${observed}</td><td class="judge">${judge}</td>${cells.join('')}</tr>`
  );
}

function intervalTable(input: ReleaseReportInput): string {
  if (input.intervals.length === 0) {
    return `<h2>Intervals</h2><p class="empty">No interval analysed yet.</p>`;
  }
  const metrics = reportMetrics(input.intervals).map((m) => m.metric);
  const head =
    `<tr><th>Time (UTC)</th><th>Weight</th><th>Observed</th><th>Judge</th>` +
    metrics.map((m) => `<th>${escapeXml(m)}</th>`).join('') +
    `</tr>`;
  const rows = input.intervals.map((interval) => intervalRow(interval, metrics));
  return `<h2>Intervals</h2><table class="intervals"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The report of one release as a complete HTML document. */
export function renderReleaseReport(input: ReleaseReportInput): string {
  const xDomain = timeDomain(input);
  const title = `Release report: ${input.canary.namespace}/${input.canary.name}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(title)}</title><style>${STYLE}</style></head><body>`,
    header(input),
    weightSection(input, xDomain),
    metricSections(input, xDomain),
    intervalTable(input),
    '<footer>Times are UTC. Hover a marker for its verdict and reason.</footer>',
    '</body></html>',
    '',
  ].join('\n');
}
