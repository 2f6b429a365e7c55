/**
 * An app's user traffic as its pods' own processes counted it (read from the pod runner's status server,
 * which keeps the final counters of processes stopped with their pods, so totals never go down).
 *
 * Pods are told apart by their `app` label: `<name>-primary` for the primary's, `<name>` for the
 * canary's (the target Deployment). A user request is one the proxy forwarded, which carries the
 * X-Forwarded-For header Traefik adds; the webhooks' requests go to the pods directly and have none.
 */
import type { ProcessCounters, PodCountersStatus } from '../src/podrunner/counters.ts';
import type { AppCounts } from './harness.ts';

const FORWARDED = 'x-forwarded-for';

export interface AppMatch {
  /** A/B header; a request without it (or without `cookie`) is unmatched. */
  header?: string;
  cookie?: string;
}

export async function processCounters(runnerUrl: string, namespace: string): Promise<ProcessCounters[]> {
  const res = await fetch(`${runnerUrl}/counters?namespace=${encodeURIComponent(namespace)}`, {
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`pod runner /counters: ${res.status} ${await res.text()}`);
  return ((await res.json()) as PodCountersStatus).processes;
}

/** Sums the processes' counters into the app's counts. */
export function appCounts(processes: ProcessCounters[], name: string, match: AppMatch): AppCounts {
  const counts: Required<AppCounts> = { primary: 0, canary: 0, canaryUnmatched: 0, canaryDirect: 0 };
  for (const { labels, counters } of processes) {
    const forwarded = counters.headerNames[FORWARDED] ?? 0;
    if (labels.app === `${name}-primary`) counts.primary += forwarded;
    if (labels.app !== name) continue;
    counts.canary += forwarded;
    counts.canaryDirect += counters.requests - forwarded;
    // Only user requests carry the A/B header or cookie, so the matched ones are all forwarded ones.
    const matched = match.cookie
      ? (counters.cookieNames[match.cookie] ?? 0)
      : (counters.headerNames[(match.header ?? 'x-canary').toLowerCase()] ?? 0);
    counts.canaryUnmatched += forwarded - matched;
  }
  return counts;
}
