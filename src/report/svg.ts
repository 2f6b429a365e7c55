/**
 * Small SVG chart pieces for the release report: scales, nice ticks, axes, lines, a band and
 * verdict markers. Every function returns markup as a string; all text is escaped, coordinates
 * are rounded to 0.1 px, and nothing reads the clock or makes ids, so equal input gives equal output.
 */
import type { JudgementDecision } from '../judge/score.ts';
import type { ReportVerdict } from './model.ts';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for element content and quoted attribute values alike. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** A coordinate as written into the markup. */
export function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}

export const VERDICT_COLOURS: Record<ReportVerdict, string> = {
  Pass: '#1a7f37',
  High: '#cf222e',
  Low: '#bc4c00',
  NoData: '#6e7781',
  Inconclusive: '#0969da',
  Error: '#8250df',
};

export const DECISION_COLOURS: Record<JudgementDecision, string> = {
  pass: '#1a7f37',
  marginal: '#9a6700',
  fail: '#cf222e',
  inconclusive: '#0969da',
};

export interface Tick {
  value: number;
  label: string;
}

function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** Removes the binary noise of k × step (0.30000000000000004 → 0.3). */
function clean(value: number): number {
  return Number(value.toPrecision(12));
}

/**
 * A domain that covers [min, max], widened to whole steps of 1, 2 or 5 × 10ⁿ, and its ticks.
 * An empty span is widened around the value so a constant series still gets an axis.
 */
export function niceTicks(
  min: number,
  max: number,
  count = 5,
): { domain: [number, number]; ticks: number[] } {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return niceTicks(0, 1, count);
  if (max < min) return niceTicks(max, min, count);
  if (max === min) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    return niceTicks(min - pad, max + pad, count);
  }
  const step = niceStep((max - min) / count);
  const low = Math.floor(min / step);
  const high = Math.ceil(max / step);
  const ticks: number[] = [];
  for (let k = low; k <= high; k++) ticks.push(clean(k * step));
  return { domain: [ticks[0], ticks[ticks.length - 1]], ticks };
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [
  ...[1, 2, 5, 10, 15, 30].map((n) => n * SECOND),
  ...[1, 2, 5, 10, 15, 30].map((n) => n * MINUTE),
  ...[1, 2, 3, 6, 12].map((n) => n * HOUR),
  ...[1, 2, 7, 14, 28].map((n) => n * DAY),
];

/** UTC time ticks at whole steps, at most about `count` of them, labelled HH:MM (with seconds or date as needed). */
export function timeTicks(start: number, end: number, count = 6): Tick[] {
  const span = Math.max(end - start, SECOND);
  const step = TIME_STEPS.find((s) => span / s <= count) ?? Math.ceil(span / count / DAY) * DAY;
  const label = (t: number): string => {
    const iso = new Date(t).toISOString();
    if (span >= DAY) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
    return step < MINUTE ? iso.slice(11, 19) : iso.slice(11, 16);
  };
  const ticks: Tick[] = [];
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) ticks.push({ value: t, label: label(t) });
  return ticks;
}

export interface Chart {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  xDomain: [number, number];
  yDomain: [number, number];
  x(value: number): number;
  y(value: number): number;
}

export interface ChartOptions {
  width: number;
  height: number;
  xDomain: [number, number];
  yDomain: [number, number];
  margin?: { top: number; right: number; bottom: number; left: number };
}

export function chart(options: ChartOptions): Chart {
  const margin = options.margin ?? { top: 16, right: 24, bottom: 36, left: 64 };
  const plot = {
    left: margin.left,
    top: margin.top,
    right: options.width - margin.right,
    bottom: options.height - margin.bottom,
  };
  const [x0, x1] = options.xDomain;
  const [y0, y1] = options.yDomain;
  const xSpan = x1 - x0 || 1;
  const ySpan = y1 - y0 || 1;
  return {
    width: options.width,
    height: options.height,
    plot,
    xDomain: options.xDomain,
    yDomain: options.yDomain,
    x: (v) => plot.left + ((v - x0) / xSpan) * (plot.right - plot.left),
    y: (v) => plot.bottom - ((v - y0) / ySpan) * (plot.bottom - plot.top),
  };
}

/** Grid lines, the plot's frame and the tick labels of both axes; a y label is centred on its tick. */
export function axes(c: Chart, xTicks: readonly Tick[], yTicks: readonly Tick[], yTitle?: string): string {
  const { left, top, right, bottom } = c.plot;
  const parts: string[] = [];
  for (const tick of yTicks) {
    const y = px(c.y(tick.value));
    parts.push(
      `<g class="tick y-tick"><line x1="${px(left)}" x2="${px(right)}" y1="${y}" y2="${y}" stroke="#d0d7de" stroke-width="1"/>` +
        `<text x="${px(left - 6)}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(tick.label)}</text></g>`,
    );
  }
  for (const tick of xTicks) {
    const x = px(c.x(tick.value));
    parts.push(
      `<g class="tick x-tick"><line x1="${x}" x2="${x}" y1="${px(top)}" y2="${px(bottom)}" stroke="#eaeef2" stroke-width="1"/>` +
        `<text x="${x}" y="${px(bottom + 16)}" text-anchor="middle">${escapeXml(tick.label)}</text></g>`,
    );
  }
  parts.push(
    `<rect class="frame" x="${px(left)}" y="${px(top)}" width="${px(right - left)}" height="${px(bottom - top)}" fill="none" stroke="#8c959f" stroke-width="1"/>`,
  );
  if (yTitle) {
    const cx = px(14);
    const cy = px((top + bottom) / 2);
    parts.push(
      `<text class="y-title" x="${cx}" y="${cy}" text-anchor="middle" transform="rotate(-90 ${cx} ${cy})">${escapeXml(yTitle)}</text>`,
    );
  }
  return parts.join('');
}

export interface Point {
  t: number;
  v: number;
}

export interface LineStyle {
  className: string;
  stroke: string;
  width?: number;
  dashed?: boolean;
}

function strokeAttributes(style: LineStyle): string {
  const dash = style.dashed ? ' stroke-dasharray="6 4"' : '';
  return `class="${escapeXml(style.className)}" fill="none" stroke="${style.stroke}" stroke-width="${style.width ?? 2}"${dash}`;
}

export function polyline(c: Chart, points: readonly Point[], style: LineStyle): string {
  if (points.length === 0) return '';
  const coordinates = points.map((p) => `${px(c.x(p.t))},${px(c.y(p.v))}`).join(' ');
  return `<polyline ${strokeAttributes(style)} points="${coordinates}"/>`;
}

/**
 * A step line where each value holds over the time up to its own point: value i from point i − 1
 * (or `from` for the first) to point i, as a weight in force during the interval that ends there.
 */
export function stepBeforeLine(c: Chart, from: number, points: readonly Point[], style: LineStyle): string {
  const corners: Point[] = [];
  let previous = from;
  for (const p of points) {
    corners.push({ t: previous, v: p.v }, { t: p.t, v: p.v });
    previous = p.t;
  }
  return polyline(c, corners, style);
}

/** A filled area between `low` and `high` over the points' times. */
export function band(
  c: Chart,
  points: readonly { t: number; low: number; high: number }[],
  className: string,
  fill: string,
): string {
  if (points.length === 0) return '';
  const upper = points.map((p) => `${px(c.x(p.t))},${px(c.y(p.high))}`);
  const lower = [...points].reverse().map((p) => `${px(c.x(p.t))},${px(c.y(p.low))}`);
  return `<polygon class="${escapeXml(className)}" fill="${fill}" fill-opacity="0.25" stroke="none" points="${[...upper, ...lower].join(' ')}"/>`;
}

/** A verdict's shape: a dot passes, a triangle points the way a metric failed, hollow for no data. */
function shape(x: number, y: number, verdict: ReportVerdict, colour: string): string {
  const [X, Y] = [px(x), px(y)];
  switch (verdict) {
    case 'Pass':
      return `<circle cx="${X}" cy="${Y}" r="5" fill="${colour}"/>`;
    case 'High':
      return `<path d="M${px(x)} ${px(y - 6)}L${px(x + 6)} ${px(y + 5)}L${px(x - 6)} ${px(y + 5)}Z" fill="${colour}"/>`;
    case 'Low':
      return `<path d="M${px(x)} ${px(y + 6)}L${px(x + 6)} ${px(y - 5)}L${px(x - 6)} ${px(y - 5)}Z" fill="${colour}"/>`;
    case 'NoData':
      return `<circle cx="${X}" cy="${Y}" r="5" fill="#ffffff" stroke="${colour}" stroke-width="2"/>`;
    case 'Inconclusive':
      return `<path d="M${px(x)} ${px(y - 6)}L${px(x + 6)} ${px(y)}L${px(x)} ${px(y + 6)}L${px(x - 6)} ${px(y)}Z" fill="${colour}"/>`;
    case 'Error':
      return `<path d="M${px(x - 5)} ${px(y - 5)}L${px(x + 5)} ${px(y + 5)}M${px(x + 5)} ${px(y - 5)}L${px(x - 5)} ${px(y + 5)}" stroke="${colour}" stroke-width="2.5"/>`;
  }
}

/** A marker coloured and shaped by its verdict, with a tooltip. */
export function verdictMarker(x: number, y: number, verdict: ReportVerdict, tooltip: string): string {
  return (
    `<g class="marker verdict-${verdict}" data-verdict="${verdict}"><title>${escapeXml(tooltip)}</title>` +
    `${shape(x, y, verdict, VERDICT_COLOURS[verdict])}</g>`
  );
}

/** A small square of the decision's colour with its label, for the judge's strip above a chart. */
export function decisionMarker(x: number, y: number, decision: JudgementDecision, tooltip: string): string {
  return (
    `<g class="marker decision-${decision}" data-decision="${decision}"><title>${escapeXml(tooltip)}</title>` +
    `<rect x="${px(x - 5)}" y="${px(y - 5)}" width="10" height="10" rx="2" fill="${DECISION_COLOURS[decision]}"/></g>`
  );
}

/** Centred text in the plot area, for an empty chart. */
export function plotNote(c: Chart, text: string): string {
  const x = px((c.plot.left + c.plot.right) / 2);
  const y = px((c.plot.top + c.plot.bottom) / 2);
  return `<text class="note" x="${x}" y="${y}" text-anchor="middle" fill="#57606a">${escapeXml(text)}</text>`;
}

/**
 * The chart as an SVG element inline in HTML, where it needs no namespace attribute (and the
 * report holds no URL at all); it scales to its container's width.
 */
export function svgElement(c: Chart, label: string, body: string): string {
  return (
    `<svg viewBox="0 0 ${c.width} ${c.height}" role="img" aria-label="${escapeXml(label)}"` +
    ` font-family="sans-serif" font-size="12" fill="#24292f">${body}</svg>`
  );
}
