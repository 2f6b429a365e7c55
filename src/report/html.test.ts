import { describe, expect, it } from 'vitest';
import { renderReleaseReport } from './html.ts';
import type { ReleaseReportInput, ReportInterval } from './model.ts';
import { sampleReleaseReport } from './sample.ts';
import { VERDICT_COLOURS } from './svg.ts';

/** The markup of the section whose class list starts with `cls` and, if given, is about `metric`. */
function section(html: string, cls: string, metric?: string): string {
  const marker = metric === undefined ? `<section class="${cls}` : `data-metric="${metric}"`;
  const start = html.indexOf(marker);
  expect(start, `section ${cls} ${metric ?? ''}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</section>', start));
}

function pairs(points: string): [number, number][] {
  return points
    .trim()
    .split(/\s+/)
    .map((p) => p.split(',').map(Number) as [number, number]);
}

function polylines(svg: string, cls: string): [number, number][][] {
  return [...svg.matchAll(new RegExp(`<polyline class="${cls}"[^>]* points="([^"]*)"`, 'g'))].map((m) =>
    pairs(m[1]),
  );
}

/** Where a tick label is drawn: the y of a y-axis label, the x of an x-axis label. */
function tickAt(svg: string, axis: 'x' | 'y', label: string): number {
  const pattern =
    axis === 'y'
      ? new RegExp(`<text x="[^"]*" y="([^"]*)" text-anchor="end" dominant-baseline="middle">${label}</text>`)
      : new RegExp(`<text x="([^"]*)" y="[^"]*" text-anchor="middle">${label}</text>`);
  const match = svg.match(pattern);
  expect(match, `${axis} tick ${label}`).not.toBeNull();
  return Number(match![1]);
}

/** The value at a y coordinate, read off the chart's own tick labels. */
function valueAt(svg: string, y: number, [low, high]: [number, number], suffix = ''): number {
  const y0 = tickAt(svg, 'y', `${low}${suffix}`);
  const y1 = tickAt(svg, 'y', `${high}${suffix}`);
  return low + ((y - y0) / (y1 - y0)) * (high - low);
}

const sample = sampleReleaseReport();
const html = renderReleaseReport(sample);

describe('renderReleaseReport', () => {
  it('draws the configured weight as a step line through every interval’s weight in order, at its time', () => {
    const svg = section(html, 'panel weight');
    const [line] = polylines(svg, 'configured-weight');
    const weights = line.map(([, y]) => Math.round(valueAt(svg, y, [0, 50], '%') * 10) / 10);
    expect(weights).toEqual(sample.intervals.flatMap((i) => [i.weight, i.weight]));
    // Each weight ends at its interval's time, on the x-axis tick of that minute.
    const ends = line.filter((_, k) => k % 2 === 1).map(([x]) => x);
    expect(ends).toEqual(['09:01', '09:02', '09:03', '09:04', '09:05'].map((t) => tickAt(svg, 'x', t)));
  });

  it('draws the observed share as points at their measured values', () => {
    const svg = section(html, 'panel weight');
    const [line] = polylines(svg, 'observed-weight');
    const observed = line.map(([, y]) => Math.round(valueAt(svg, y, [0, 50], '%') * 10) / 10);
    expect(observed).toEqual(sample.intervals.map((i) => i.observedWeight));
    expect(svg.match(/<g class="observed-point">/g)).toHaveLength(5);
  });

  it('has one panel per metric, headed by the metric’s name, in order of appearance', () => {
    const headings = [
      ...html.matchAll(/<section class="panel metric" data-metric="[^"]*"><h2>([^<]*) /g),
    ].map((m) => m[1]);
    expect(headings).toEqual(['request-success-rate', 'request-duration', 'latency']);
  });

  it('draws a threshold as a dashed horizontal line at its value', () => {
    const svg = section(html, 'panel metric', 'request-duration');
    const [max] = polylines(svg, 'threshold-max');
    expect(svg).toMatch(/<polyline class="threshold-max"[^>]*stroke-dasharray/);
    expect(new Set(max.map(([, y]) => y))).toEqual(new Set([tickAt(svg, 'y', '500')]));
    const min = section(html, 'panel metric', 'request-success-rate');
    expect(new Set(polylines(min, 'threshold-min')[0].map(([, y]) => y))).toEqual(
      new Set([tickAt(min, 'y', '99')]),
    );
    expect(polylines(min, 'threshold-max')).toEqual([]);
  });

  it('puts the canary’s band above the control line where the canary was judged High', () => {
    const svg = section(html, 'panel metric', 'latency');
    const [control] = polylines(svg, 'control-value');
    const band = svg.match(/<polygon class="canary-interval"[^>]* points="([^"]*)"/);
    expect(band).not.toBeNull();
    const corners = pairs(band![1]);
    const lastX = control[control.length - 1][0];
    const bandAtLast = corners.filter(([x]) => x === lastX).map(([, y]) => y);
    // SVG y grows downwards: the whole band is above (smaller y than) the control line.
    expect(Math.max(...bandAtLast)).toBeLessThan(control[control.length - 1][1]);
  });

  it('marks every interval of every metric with its verdict’s colour, and says so in the table', () => {
    const latency = section(html, 'panel metric', 'latency');
    const markers = [
      ...latency.matchAll(
        /<g class="marker verdict-(\w+)"[^>]*><title>([^<]*)<\/title><(\w+)[^>]*fill="([^"]*)"/g,
      ),
    ];
    expect(markers.map((m) => m[1])).toEqual(['Pass', 'Pass', 'Pass', 'High', 'High']);
    // Green passes, red is High; every verdict has a colour of its own.
    expect(markers.map((m) => m[4])).toEqual(['#1a7f37', '#1a7f37', '#1a7f37', '#cf222e', '#cf222e']);
    expect(new Set(Object.values(VERDICT_COLOURS)).size).toBe(6);
    expect(markers[3][2]).toContain('09:04:00 latency: High');

    const rows = html.slice(html.indexOf('<tbody>'), html.indexOf('</tbody>')).split('<tr>').slice(1);
    expect(rows).toHaveLength(5);
    for (const [k, row] of rows.entries()) {
      for (const check of sample.intervals[k].metrics) {
        expect(row).toContain(
          `<span class="badge verdict verdict-${check.verdict}" style="background:${VERDICT_COLOURS[check.verdict]}">${check.verdict}</span>`,
        );
      }
      expect(row).toContain(`decision-${sample.intervals[k].judgement!.decision}`);
    }
  });

  it('needs no network and runs no script', () => {
    expect(html).not.toContain('http://');
    expect(html).not.toContain('https://');
    expect(html.toLowerCase()).not.toContain('<script');
    expect(html).not.toMatch(/<link|<img|url\(|@import|@font-face/i);
  });

  it('escapes metric names and reasons', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const input: ReleaseReportInput = {
      ...sample,
      reason: '</dd><script>alert("reason")</script>',
      intervals: sample.intervals.map((interval) => ({
        ...interval,
        metrics: [
          {
            kind: 'threshold',
            metric: hostile,
            value: 1,
            max: 2,
            verdict: 'Pass',
            reason: `"${hostile}" & more`,
          },
        ],
      })),
    };
    const out = renderReleaseReport(input);
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(out).toContain('&quot;&lt;img src=x onerror=alert(1)&gt;&quot; &amp; more');
    expect(out).toContain('&lt;/dd&gt;&lt;script&gt;alert(&quot;reason&quot;)&lt;/script&gt;');
    expect(out).not.toContain('<img');
    expect(out.toLowerCase()).not.toContain('<script');
  });

  it('gives the same string for the same input, also after a round trip through JSON', () => {
    expect(renderReleaseReport(sampleReleaseReport())).toBe(html);
    expect(renderReleaseReport(JSON.parse(JSON.stringify(sample)) as ReleaseReportInput)).toBe(html);
  });

  it('renders a release without metrics: the weight panel and a note instead of metric panels', () => {
    const intervals: ReportInterval[] = sample.intervals.map(({ at, weight }) => ({
      at,
      weight,
      metrics: [],
    }));
    const out = renderReleaseReport({ ...sample, outcome: 'Succeeded', reason: 'promoted', intervals });
    expect(out).not.toContain('class="panel metric"');
    expect(out).toContain('No metric was checked in this release.');
    expect(polylines(section(out, 'panel weight'), 'configured-weight')[0]).toHaveLength(10);
    expect(polylines(out, 'observed-weight')).toEqual([]);
  });

  it('renders a single interval', () => {
    const out = renderReleaseReport({ ...sample, intervals: [sample.intervals[0]] });
    expect(polylines(section(out, 'panel weight'), 'configured-weight')[0]).toHaveLength(2);
    expect(out.match(/<section class="panel metric"/g)).toHaveLength(3);
    expect(out.split('<tbody>')[1].match(/<tr>/g)).toHaveLength(1);
  });

  it('renders a release in progress, before and after its first interval', () => {
    const running = { ...sample, finishedAt: undefined, outcome: 'InProgress' as const, reason: undefined };
    const early = renderReleaseReport({ ...running, intervals: [] });
    expect(early).toContain('>In progress</span>');
    expect(early).toContain('not yet: the release is in progress');
    expect(early).toContain('No interval analysed yet');
    expect(polylines(early, 'configured-weight')).toEqual([]);

    const later = renderReleaseReport({ ...running, intervals: sample.intervals.slice(0, 2) });
    expect(later).toContain('>In progress</span>');
    expect(polylines(section(later, 'panel weight'), 'configured-weight')[0]).toHaveLength(4);
  });

  it('shows a metric without data as a hollow marker on the axis and leaves a gap in its line', () => {
    const intervals = sample.intervals.map((interval, k) => ({
      ...interval,
      metrics: [
        k === 2
          ? {
              kind: 'threshold' as const,
              metric: 'errors',
              max: 5,
              verdict: 'NoData' as const,
              reason: 'no data',
            }
          : { kind: 'threshold' as const, metric: 'errors', value: k, max: 5, verdict: 'Pass' as const },
      ],
    }));
    const svg = section(renderReleaseReport({ ...sample, intervals }), 'panel metric', 'errors');
    expect(polylines(svg, 'metric-value').map((line) => line.length)).toEqual([2, 2]);
    const noData = svg.match(
      /<g class="marker verdict-NoData"[^>]*><title>[^<]*<\/title><circle cx="[^"]*" cy="([^"]*)"[^>]*fill="#ffffff"/,
    );
    expect(noData).not.toBeNull();
    const frame = svg.match(/<rect class="frame" x="[^"]*" y="([^"]*)" width="[^"]*" height="([^"]*)"/)!;
    expect(Number(noData![1])).toBeCloseTo(Number(frame[1]) + Number(frame[2]), 1);
  });

  it('puts a compared metric without canary data on the bottom axis, under the control’s line', () => {
    const intervals = sample.intervals.map((interval, k) => ({
      ...interval,
      metrics: [
        k === 4
          ? { kind: 'control' as const, metric: 'p99', control: 100, verdict: 'NoData' as const }
          : {
              kind: 'control' as const,
              metric: 'p99',
              canary: 100 + k,
              control: 100,
              verdict: 'Pass' as const,
            },
      ],
    }));
    const svg = section(renderReleaseReport({ ...sample, intervals }), 'panel metric', 'p99');
    const noData = svg.match(
      /<g class="marker verdict-NoData"[^>]*><title>[^<]*<\/title><circle cx="[^"]*" cy="([^"]*)"/,
    );
    const frame = svg.match(/<rect class="frame" x="[^"]*" y="([^"]*)" width="[^"]*" height="([^"]*)"/)!;
    expect(Number(noData![1])).toBeCloseTo(Number(frame[1]) + Number(frame[2]), 1);
    expect(polylines(svg, 'control-value')[0]).toHaveLength(5);
    expect(polylines(svg, 'canary-value')[0]).toHaveLength(4);
  });

  it('refuses a time that is not ISO, naming the field', () => {
    expect(() =>
      renderReleaseReport({ ...sample, intervals: [{ ...sample.intervals[0], at: 'soon' }] }),
    ).toThrow(/intervals\[0\]\.at: not an ISO time/);
  });
});
