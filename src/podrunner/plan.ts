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
 * - A process whose pod is not among `targets`, or whose target changed (image, ports, address), stops;
 *   one still starting is stopped once it has started (the caller plans again then).
 * - A process holds its address until it has exited: a pod that KWOK gave the address of a deleted pod
 *   whose process is still running or stopping waits for it (the caller plans again when a stop ends).
 * - At most `max` processes (those in backoff count): the oldest pods get them, the newest wait.
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
  let ended = 0;
  for (const [uid, slot] of slots) {
    const wanted = byUid.get(uid);
    const current = wanted !== undefined && sameTarget(slot.target, wanted);
    const settled = slot.state === 'running' || slot.state === 'backoff';
    if (!current && settled) stop.push(uid);
    // A process in backoff has no sockets; one being stopped keeps them until it has exited.
    if (current || slot.state !== 'backoff') busy.set(slot.target.ip, slot.target);
    else ended += 1;
  }
  let count = slots.size - ended;
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
      const reason =
        holder.uid === target.uid
          ? `its previous process still holds ${target.ip}`
          : `address ${target.ip} still used by ${podKey(holder)}`;
      plan.waiting.push({ target, reason });
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
