/**
 * The release report's input read from a Canary's status: status.analysis holds the intervals, the
 * phase says how the release ended. Pure: the Canary is the only input.
 */
import type { Canary } from '../api/types.ts';
import type { ReleaseOutcome, ReleaseReportInput } from './model.ts';

/** Why there is no report for a Canary without status.analysis. */
export const NO_ANALYSIS_REASON =
  'no analysis recorded yet: the report covers releases with metric checks, from their first analysis interval on';

export type ReportSource =
  { ok: true; input: ReleaseReportInput } | { ok: false; reason: 'no-analysis'; message: string };

function outcomeOf(phase: string | undefined): ReleaseOutcome {
  return phase === 'Succeeded' || phase === 'Failed' ? phase : 'InProgress';
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The report input of the release status.analysis is about, or why there is none. When status.revision
 * has moved on to a newer release than the one analysed, the report still shows the analysed one and
 * says so in its reason.
 */
export function reportInputOf(canary: Canary): ReportSource {
  const status = canary.status ?? {};
  const analysis = status.analysis;
  const name = canary.metadata.name;
  const namespace = canary.metadata.namespace ?? 'default';
  if (!analysis) return { ok: false, reason: 'no-analysis', message: NO_ANALYSIS_REASON };

  const intervals = analysis.intervals ?? [];
  const stale = status.revision !== undefined && analysis.revision !== status.revision;
  const outcome = outcomeOf(status.phase);
  const startedAt =
    (!stale ? status.releaseStartTime : undefined) ??
    intervals[0]?.at ??
    status.releaseStartTime ??
    status.lastTransitionTime ??
    canary.metadata.creationTimestamp ??
    new Date(0).toISOString();

  const reasons: string[] = [];
  if (stale)
    reasons.push(
      `status.analysis is about revision ${analysis.revision}, an earlier release than the current ` +
        `revision ${status.revision} (${status.phase ?? 'Unknown'}); the outcome and message are the current release's`,
    );
  if (status.message) reasons.push(status.message);
  if (analysis.held)
    reasons.push(
      `Held for promotion since ${analysis.held.since}: ${analysis.held.reason} (kanaria promote ${name})`,
    );
  if ((analysis.omittedIntervals ?? 0) > 0)
    reasons.push(
      `${plural(analysis.omittedIntervals ?? 0, 'earlier interval')} left out of status; the report shows the latest ${intervals.length}`,
    );

  const finished = outcome !== 'InProgress' && status.lastTransitionTime !== undefined;
  return {
    ok: true,
    input: {
      canary: { name, namespace },
      revision: analysis.revision,
      startedAt,
      ...(finished ? { finishedAt: status.lastTransitionTime } : {}),
      outcome,
      ...(reasons.length > 0 ? { reason: reasons.map((r) => r.replace(/\.$/, '')).join('. ') } : {}),
      intervals,
    },
  };
}
