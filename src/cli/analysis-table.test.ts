import { describe, expect, it } from 'vitest';
import type { AnalysisRecord, IntervalRecord } from '../api/analysis.ts';
import { canary } from './view-testing.ts';
import { analysisLines, analysisViewOf, comparisonDetail, formatPValue, shorten } from './analysis-table.ts';
import { renderCanaryView } from './render.ts';
import { buildCanaryView } from './view.ts';

const NOW = Date.parse('2026-03-14T09:05:00Z');

const LATEST: IntervalRecord = {
  at: '2026-03-14T09:04:00.000Z',
  weight: 40,
  observedWeight: 38.7,
  metrics: [
    {
      kind: 'threshold',
      metric: 'request-duration',
      unit: 'ms',
      value: 318,
      max: 500,
      verdict: 'Pass',
      reason: 'request-duration 318 ms ≤ max 500 ms',
    },
    {
      kind: 'threshold',
      metric: 'request-success-rate',
      unit: '%',
      value: 97.2,
      min: 99,
      verdict: 'Low',
      reason:
        'request-success-rate 97.2% < min 99%: the canary answered fewer requests successfully than allowed',
    },
    {
      kind: 'control',
      metric: 'latency',
      unit: 'ms',
      canary: 130.4,
      control: 100,
      canarySize: 20,
      controlSize: 20,
      estimate: 30.1,
      interval: { lower: 27, upper: 33.2 },
      confidenceLevel: 0.98,
      pValue: 0.0003,
      effectSize: 1.3,
      verdict: 'High',
      reason: 'latency: canary higher than control',
    },
  ],
  judgement: { decision: 'marginal', score: 60, reason: 'score 60 < pass 75' },
};

const ANALYSIS: AnalysisRecord = {
  revision: 'rev-1',
  intervals: [{ at: '2026-03-14T09:03:00.000Z', weight: 30, metrics: [] }, LATEST],
  omittedIntervals: 2,
  held: { reason: 'score 60 is marginal', since: '2026-03-14T09:04:00.000Z' },
};

describe('the analysis table of kanaria get canary', () => {
  it('shows each metric of the latest interval, the judge and the hold for promotion', () => {
    const view = analysisViewOf(
      canary({ phase: 'WaitingPromotion', revision: 'rev-1', analysis: ANALYSIS }),
      NOW,
    );
    expect(analysisLines(view!)).toEqual([
      'Analysis:        interval 4 of revision rev-1, at 2026-03-14T09:04:00Z (1m ago), weight 40%',
      '  METRIC                VERDICT  VALUE     AGAINST         DETAIL',
      '  request-duration      ✔ Pass   318 ms    ≤ 500 ms        request-duration 318 ms ≤ max 500 ms',
      '  request-success-rate  ✖ Low    97.2%     ≥ 99%           request-success-rate 97.2% < min 99%: the canary answered f…',
      '  latency               ✖ High   130.4 ms  control 100 ms  p=0.0003 est +30.1 ms [27..33.2] n=20/20',
      '  Judge: marginal, score 60: score 60 < pass 75',
      '  Held for promotion: score 60 is marginal (kanaria promote podinfo)',
    ]);
  });

  it('is part of the get canary view, coloured by verdict on a terminal', () => {
    const objects = { canary: canary({ phase: 'WaitingPromotion', revision: 'rev-1', analysis: ANALYSIS }) };
    const view = buildCanaryView({ ...objects, services: [], configs: [], events: [] }, NOW);
    const plain = renderCanaryView(view);
    expect(plain).toMatch(/^Analysis: +interval 4 of revision rev-1/m);
    expect(plain).toMatch(/^ {2}latency +✖ High +130\.4 ms +control 100 ms +p=0\.0003 est \+30\.1 ms/m);
    expect(plain).toContain('Held for promotion: score 60 is marginal (kanaria promote podinfo)');
    const coloured = renderCanaryView(view, { color: true });
    expect(coloured).toContain('\x1b[32m✔ Pass\x1b[0m');
    expect(coloured).toContain('\x1b[31m✖ High\x1b[0m');
  });

  it('is left out before the first interval, and says when a newer release is not analysed yet', () => {
    expect(analysisViewOf(canary({ phase: 'Progressing' }), NOW)).toBeUndefined();
    expect(analysisViewOf(canary({ analysis: { revision: 'rev-1', intervals: [] } }), NOW)).toBeUndefined();
    const stale = analysisViewOf(
      canary({ revision: 'rev-2', analysis: { revision: 'rev-1', intervals: [LATEST] } }),
      NOW,
    );
    expect(analysisLines(stale!)[0]).toBe(
      'Analysis:        interval 1 of revision rev-1 (not yet of the current revision rev-2), at 2026-03-14T09:04:00Z (1m ago), weight 40%',
    );
    expect(stale?.held).toBeUndefined();
  });

  it('shows what is known of a check without data, and both bounds of a range', () => {
    const record: AnalysisRecord = {
      revision: 'rev-1',
      intervals: [
        {
          at: LATEST.at,
          weight: 10,
          metrics: [
            { kind: 'control', metric: 'errors', verdict: 'NoData', reason: 'no samples from the control' },
            { kind: 'threshold', metric: 'cpu', value: 0.4, min: 0.1, max: 0.8, verdict: 'Pass' },
            { kind: 'threshold', metric: 'queue', verdict: 'Error', reason: 'query failed' },
          ],
        },
      ],
    };
    const rows = analysisViewOf(canary({ analysis: record }), NOW)!.rows;
    expect(rows).toEqual([
      {
        metric: 'errors',
        verdict: 'NoData',
        value: 'no value',
        against: 'control no value',
        detail: 'no samples from the control',
      },
      { metric: 'cpu', verdict: 'Pass', value: '0.4', against: '0.1..0.8', detail: '' },
      { metric: 'queue', verdict: 'Error', value: 'no value', against: '', detail: 'query failed' },
    ]);
  });

  it('formats p-values, shifts and long reasons briefly', () => {
    expect(formatPValue(0.0003)).toBe('p=0.0003');
    expect(formatPValue(0.0312)).toBe('p=0.031');
    expect(formatPValue(6.63e-8)).toBe('p<0.0001');
    expect(
      comparisonDetail({ kind: 'control', metric: 'm', estimate: -2, verdict: 'Pass', canarySize: 3 }),
    ).toBe('est -2 n=3/0');
    expect(shorten('x'.repeat(70))).toHaveLength(60);
    expect(shorten('short')).toBe('short');
  });
});
