/**
 * The pod runner's decisions as one pure function: given the pods that should have a process and the
 * processes there are, which to stop, which to start, which to start again after a failure, and which
 * pods wait (and why).
 */
import { sameTarget, type PodTarget } from './pod-spec.ts';

export type ProcessState = 'starting' | 'running' | 'backoff' | 'stopping';

/** What the plan needs to know of a process. */
export interface SlotView {
  target: PodTarget;
  state: ProcessState;
  /** For a process in backoff: when it may be started again (ms since the epoch). */
  retryAt?: number;
}

export interface Plan {
  /** Processes to stop (by pod uid): their pod is gone, stopped running or changed its container. */
  stop: string[];
  /** Pods to start a process for, oldest first. */
  start: PodTarget[];
  /** Processes in backoff (by pod uid) whose retry is due. */
  retry: string[];
  waiting: { target: PodTarget; reason: string }[];
  /** The earliest retry still to come, if any. */
  nextRetryAt?: number;
}

export function podKey(t: { namespace: string; name: string }): string {
  return `${t.namespace}/${t.name}`;
}

/**
 * - A process whose pod is not among `targets`, or whose target changed (image, ports, address), stops.
 * - Stops come before starts: an address KWOK handed to a new pod after deleting the old one is free once
 *   the old pod's process has stopped, which the caller awaits before starting anything.
 * - At most `max` processes (those in backoff count): the oldest pods get them, the newest wait.
 * - A pod whose address a remaining process still holds waits for it.
 */
export function planProcesses(
  targets: readonly PodTarget[],
  slots: ReadonlyMap<string, SlotView>,
  max: number,
  now: number,
): Plan {
  const byUid = new Map(targets.map((t) => [t.uid, t]));
  const stop: string[] = [];
  const busy = new Map<string, PodTarget>();
  for (const [uid, slot] of slots) {
    const wanted = byUid.get(uid);
    if (!wanted || !sameTarget(slot.target, wanted)) stop.push(uid);
    else busy.set(slot.target.ip, slot.target);
  }
  let count = slots.size - stop.length;
  const ordered = [...targets].sort(
    (a, b) => a.created - b.created || podKey(a).localeCompare(podKey(b)) || a.uid.localeCompare(b.uid),
  );
  const plan: Plan = { stop, start: [], retry: [], waiting: [] };
  for (const target of ordered) {
    const slot = slots.get(target.uid);
    if (slot && !stop.includes(target.uid)) {
      if (slot.state !== 'backoff') continue;
      const retryAt = slot.retryAt ?? now;
      if (retryAt <= now) plan.retry.push(target.uid);
      else plan.nextRetryAt = Math.min(plan.nextRetryAt ?? Infinity, retryAt);
      continue;
    }
    const holder = busy.get(target.ip);
    if (holder) {
      plan.waiting.push({ target, reason: `address ${target.ip} still used by ${podKey(holder)}` });
      continue;
    }
    if (count >= max) {
      plan.waiting.push({ target, reason: `at the limit of ${max} processes` });
      continue;
    }
    count += 1;
    busy.set(target.ip, target);
    plan.start.push(target);
  }
  return plan;
}
