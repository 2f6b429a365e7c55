/**
 * An app's user traffic as its pods' own processes counted it (the pod runner's `counters()`, or its
 * status server's GET /counters, which keep the final counters of processes stopped with their pods, so
 * totals never go down). Shared by the e2e suite on Traefik and `kanaria demo`.
 *
 * Pods are told apart by their `app` label: `<name>-primary` for the primary's, `<name>` for the
 * canary's (the target Deployment). A user request is one the proxy forwarded, which carries the
 * X-Forwarded-For header Traefik adds; the webhooks' requests go to the pods directly and have none.
 */
import type { ProcessCounters, PodCountersStatus } from '../podrunner/counters.ts';

const FORWARDED = 'x-forwarded-for';

/** User requests each version's pods counted (totals never go down), and what the canary's answered. */
export interface PodAppCounts {
  /** User requests that reached the primary's pods. */
  primary: number;
  /** User requests that reached the canary's (the target Deployment's) pods. */
  canary: number;
  /** Of the canary's user requests, those without the A/B header or cookie. */
  canaryUnmatched: number;
  /** Requests that reached the canary's pods directly (the webhooks'), not through the proxy. */
  canaryDirect: number;
  /** Answers with a 5xx status, of all requests (user and direct) each version's pods served. */
  primaryErrors: number;
  canaryErrors: number;
}

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

/** Whether a process of the namespace's pods (of pods labelled `app=<app>`, when given) still runs. */
export async function processesRunning(runnerUrl: string, namespace: string, app?: string): Promise<boolean> {
  return (await processCounters(runnerUrl, namespace)).some(
    (p) => p.state === 'running' && (app === undefined || p.labels.app === app),
  );
}

function errors(byStatus: Record<string, number>): number {
  return Object.entries(byStatus).reduce((sum, [status, n]) => (Number(status) >= 500 ? sum + n : sum), 0);
}

/** Sums the processes' counters into the app's counts. */
export function appCounts(processes: ProcessCounters[], name: string, match: AppMatch = {}): PodAppCounts {
  const counts: PodAppCounts = {
    primary: 0,
    canary: 0,
    canaryUnmatched: 0,
    canaryDirect: 0,
    primaryErrors: 0,
    canaryErrors: 0,
  };
  for (const { labels, counters } of processes) {
    const forwarded = counters.headerNames[FORWARDED] ?? 0;
    if (labels.app === `${name}-primary`) {
      counts.primary += forwarded;
      counts.primaryErrors += errors(counters.byStatus);
    }
    if (labels.app !== name) continue;
    counts.canary += forwarded;
    counts.canaryErrors += errors(counters.byStatus);
    counts.canaryDirect += counters.requests - forwarded;
    // Only user requests carry the A/B header or cookie, so the matched ones are all forwarded ones.
    const matched = match.cookie
      ? (counters.cookieNames[match.cookie] ?? 0)
      : (counters.headerNames[(match.header ?? 'x-canary').toLowerCase()] ?? 0);
    counts.canaryUnmatched += forwarded - matched;
  }
  return counts;
}
