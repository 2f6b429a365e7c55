/**
 * What the pod runner's processes served, running and ended: a test reads totals that never go down,
 * even when a Deployment is scaled to 0 and its pods' processes are stopped in the middle of a release.
 * A running process is asked for its `/counters`; a process stopped with its pod sends its final
 * counters over IPC before it exits, and the runner keeps them (the last MAX_ENDED of them).
 */
import type { PodCounters } from './pod-process.ts';
import type { PodTarget } from './pod-spec.ts';

/** Counters of one process, with the pod it stood for. */
export interface ProcessCounters {
  namespace: string;
  name: string;
  uid: string;
  pid: number;
  labels: Record<string, string>;
  state: 'running' | 'ended';
  counters: PodCounters;
}

export interface PodCountersStatus {
  processes: ProcessCounters[];
}

export const MAX_ENDED = 5_000;
const FETCH_TIMEOUT_MS = 2_000;

export function processCounters(
  target: PodTarget,
  pid: number,
  state: ProcessCounters['state'],
  counters: PodCounters,
): ProcessCounters {
  return {
    namespace: target.namespace,
    name: target.name,
    uid: target.uid,
    pid,
    labels: target.labels ?? {},
    state,
    counters,
  };
}

/** A running process's own `/counters` (on its first port); undefined when it does not answer. */
export async function fetchCounters(target: PodTarget): Promise<PodCounters | undefined> {
  try {
    const res = await fetch(`http://${target.ip}:${target.ports[0]}/counters`, {
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    return res.ok ? ((await res.json()) as PodCounters) : undefined;
  } catch {
    return undefined;
  }
}

/** The IPC message a stopping process sends, if `message` is one. */
export function finalCounters(message: unknown): PodCounters | undefined {
  if (typeof message !== 'object' || message === null || !('counters' in message)) return undefined;
  return (message as { counters: PodCounters }).counters;
}

/** The final counters of ended processes, oldest dropped first beyond MAX_ENDED. */
export class EndedProcesses {
  readonly #list: ProcessCounters[] = [];

  add(entry: ProcessCounters): void {
    this.#list.push(entry);
    if (this.#list.length > MAX_ENDED) this.#list.shift();
  }

  list(namespace?: string): ProcessCounters[] {
    return this.#list.filter((e) => namespace === undefined || e.namespace === namespace);
  }
}

/**
 * Live and ended counters merged by process: a process that ended while it was being asked is listed
 * once, with its final counters (which include everything the live answer had).
 */
export function mergeCounters(live: ProcessCounters[], ended: ProcessCounters[]): ProcessCounters[] {
  const byProcess = new Map<string, ProcessCounters>();
  for (const entry of [...live, ...ended]) byProcess.set(`${entry.uid}/${entry.pid}`, entry);
  return [...byProcess.values()].sort(
    (a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.pid - b.pid,
  );
}
