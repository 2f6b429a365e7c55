import { describe, expect, it } from 'vitest';
import { chart, escapeXml, niceTicks, stepBeforeLine, svgElement, timeTicks, verdictMarker } from './svg.ts';

describe('escapeXml', () => {
  it('escapes the five characters that can end text or an attribute', () => {
    expect(escapeXml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
  });
});

describe('niceTicks', () => {
  it('covers the values with whole steps of 1, 2 or 5 × 10ⁿ', () => {
    expect(niceTicks(0, 40)).toEqual({ domain: [0, 40], ticks: [0, 10, 20, 30, 40] });
    expect(niceTicks(3, 47).ticks).toEqual([0, 10, 20, 30, 40, 50]);
    expect(niceTicks(99.05, 99.95).ticks).toEqual([99, 99.2, 99.4, 99.6, 99.8, 100]);
    expect(niceTicks(0.1, 0.3).ticks).toEqual([0.1, 0.15, 0.2, 0.25, 0.3]);
  });

  it('gives a constant series and reversed bounds an axis around their values', () => {
    const constant = niceTicks(5, 5);
    expect(constant.domain[0]).toBeLessThan(5);
    expect(constant.domain[1]).toBeGreaterThan(5);
    expect(niceTicks(0, 0).domain).toEqual([-1, 1]);
    expect(niceTicks(40, 0)).toEqual(niceTicks(0, 40));
  });
});

describe('timeTicks', () => {
  const at = (iso: string) => Date.parse(iso);

  it('labels whole minutes in UTC over a few minutes', () => {
    const ticks = timeTicks(at('2026-03-14T09:00:00Z'), at('2026-03-14T09:05:20Z'));
    expect(ticks.map((t) => t.label)).toEqual(['09:00', '09:01', '09:02', '09:03', '09:04', '09:05']);
    expect(ticks[1].value).toBe(at('2026-03-14T09:01:00Z'));
  });

  it('shows seconds over a short span and the date over days', () => {
    expect(timeTicks(at('2026-03-14T09:00:00Z'), at('2026-03-14T09:00:30Z'))[1].label).toBe('09:00:05');
    expect(timeTicks(at('2026-03-14T00:00:00Z'), at('2026-03-17T00:00:00Z'))[0].label).toBe('03-14 00:00');
  });
});

describe('chart pieces', () => {
  const c = chart({
    width: 200,
    height: 100,
    xDomain: [0, 10],
    yDomain: [0, 100],
    margin: { top: 0, right: 0, bottom: 0, left: 0 },
  });

  it('holds each value of a step line up to its own point', () => {
    const line = stepBeforeLine(
      c,
      0,
      [
        { t: 5, v: 10 },
        { t: 10, v: 50 },
      ],
      { className: 'w', stroke: '#000' },
    );
    expect(line).toContain('points="0,90 100,90 100,50 200,50"');
  });

  it('shapes markers by verdict and escapes their tooltip', () => {
    const high = verdictMarker(10, 10, 'High', 'a < b');
    const low = verdictMarker(10, 10, 'Low', 'a');
    expect(high).toContain('<title>a &lt; b</title>');
    expect(high).toContain('d="M10 4L16 15L4 15Z"');
    expect(low).toContain('d="M10 16L16 5L4 5Z"');
    expect(verdictMarker(10, 10, 'NoData', '')).toContain('fill="#ffffff"');
  });

  it('writes an SVG element without a namespace URL', () => {
    const svg = svgElement(c, 'a "label"', '');
    expect(svg).toBe(
      '<svg viewBox="0 0 200 100" role="img" aria-label="a &quot;label&quot;" font-family="sans-serif" font-size="12" fill="#24292f"></svg>',
    );
  });
});
