import { describe, expect, it } from 'vitest';
import type { AnalysisRecord, IntervalRecord } from '../api/analysis.ts';
import type { Canary, CanaryStatus } from '../api/types.ts';
import { renderReleaseReport } from './html.ts';
import { NO_ANALYSIS_REASON, reportInputOf } from './from-status.ts';

const interval = (at: string, weight: number): IntervalRecord => ({
  at,
  weight,
  metrics: [
    {
      kind: 'threshold',
      metric: 'request-duration',
      unit: 'ms',
      value: 318,
      max: 500,
      verdict: 'Pass',
    },
  ],
  judgement: { decision: 'pass', score: 100 },
});

const ANALYSIS: AnalysisRecord = {
  revision: 'rev-1',
  intervals: [interval('2026-03-14T09:01:00.000Z', 10), interval('2026-03-14T09:02:00.000Z', 20)],
};

function canary(status: CanaryStatus): Canary {
  return {
    apiVersion: 'kanaria.dev/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'shop', creationTimestamp: '2026-03-01T00:00:00.000Z' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 80 },
      analysis: { interval: '1m' },
    },
    status,
  } as Canary;
}

function inputOf(status: CanaryStatus) {
  const source = reportInputOf(canary(status));
  if (!source.ok) throw new Error(source.message);
  return source.input;
}

describe('reportInputOf', () => {
  it('reads a finished release: outcome from the phase, its start, its end and its intervals', () => {
    const input = inputOf({
      phase: 'Failed',
      revision: 'rev-1',
      releaseStartTime: '2026-03-14T09:00:00.000Z',
      lastTransitionTime: '2026-03-14T09:05:20.000Z',
      message: 'rolled back after 2 failed checks',
      analysis: ANALYSIS,
    });
    expect(input).toEqual({
      canary: { name: 'podinfo', namespace: 'shop' },
      revision: 'rev-1',
      startedAt: '2026-03-14T09:00:00.000Z',
      finishedAt: '2026-03-14T09:05:20.000Z',
      outcome: 'Failed',
      reason: 'rolled back after 2 failed checks',
      intervals: ANALYSIS.intervals,
    });
    expect(inputOf({ phase: 'Succeeded', analysis: ANALYSIS }).outcome).toBe('Succeeded');
  });

  it('reads any other phase as in progress, with no end', () => {
    for (const phase of ['Progressing', 'WaitingPromotion', 'Promoting', 'Initialized'] as const) {
      const input = inputOf({ phase, lastTransitionTime: '2026-03-14T09:03:00.000Z', analysis: ANALYSIS });
      expect(input.outcome).toBe('InProgress');
      expect(input.finishedAt).toBeUndefined();
    }
  });

  it("starts at the first interval when status has no release start, and at the Canary's creation without either", () => {
    expect(inputOf({ phase: 'Progressing', analysis: ANALYSIS }).startedAt).toBe('2026-03-14T09:01:00.000Z');
    const empty = inputOf({ phase: 'Progressing', analysis: { revision: 'rev-1', intervals: [] } });
    expect(empty.startedAt).toBe('2026-03-01T00:00:00.000Z');
    expect(empty.intervals).toEqual([]);
  });

  it('adds the hold for promotion and the intervals left out of status to the reason', () => {
    const input = inputOf({
      phase: 'WaitingPromotion',
      revision: 'rev-1',
      message: 'waiting for promotion.',
      analysis: {
        ...ANALYSIS,
        omittedIntervals: 3,
        held: { reason: 'score 60 is marginal (50 ≤ score < 75)', since: '2026-03-14T09:02:00.000Z' },
      },
    });
    expect(input.reason).toBe(
      'waiting for promotion. Held for promotion since 2026-03-14T09:02:00.000Z: score 60 is marginal (50 ≤ score < 75) (kanaria promote podinfo). ' +
        '3 earlier intervals left out of status; the report shows the latest 2',
    );
  });

  it('keeps to the analysed revision when a newer release has started, and says so', () => {
    const input = inputOf({
      phase: 'Progressing',
      revision: 'rev-2',
      releaseStartTime: '2026-03-14T10:00:00.000Z',
      analysis: ANALYSIS,
    });
    expect(input.revision).toBe('rev-1');
    expect(input.startedAt).toBe('2026-03-14T09:01:00.000Z');
    expect(input.reason).toMatch(
      /^status\.analysis is about revision rev-1, an earlier release than the current revision rev-2 \(Progressing\)/,
    );
  });

  it('says why there is no report without status.analysis', () => {
    expect(reportInputOf(canary({ phase: 'Succeeded' }))).toEqual({
      ok: false,
      reason: 'no-analysis',
      message: NO_ANALYSIS_REASON,
    });
    expect(NO_ANALYSIS_REASON).toMatch(
      /^no analysis recorded yet: the report covers releases with metric checks/,
    );
  });

  it('gives an input the renderer takes', () => {
    const html = renderReleaseReport(
      inputOf({ phase: 'Succeeded', lastTransitionTime: '2026-03-14T09:03:00.000Z', analysis: ANALYSIS }),
    );
    expect(html).toContain('Release report: shop/podinfo');
    expect(html).toContain('data-metric="request-duration"');
  });
});
