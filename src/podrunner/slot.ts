/** What the pod runner keeps per pod process, and how it reports it. */
import type { ChildProcess } from 'node:child_process';
import type { ProcessState } from './plan.ts';
import type { PodTarget } from './pod-spec.ts';

/** One pod's process as the runner sees it. */
export interface PodProcessInfo {
  namespace: string;
  name: string;
  uid: string;
  ip: string;
  ports: number[];
  image: string;
  version: string;
  state: ProcessState;
  pid?: number;
  /** Starts after the first one (a crash or a failed start). */
  restarts: number;
  lastError?: string;
  startedAt?: string;
}

export interface PodRunnerStatus {
  maxProcesses: number;
  processes: PodProcessInfo[];
  /** Running pods without a process, and why. */
  waiting: { namespace: string; name: string; reason: string }[];
}

export interface Slot {
  target: PodTarget;
  state: ProcessState;
  child?: ChildProcess;
  exited?: Promise<void>;
  restarts: number;
  failures: number;
  retryAt?: number;
  lastError?: string;
  startedAt?: Date;
}

export function processInfo(slot: Slot): PodProcessInfo {
  return {
    namespace: slot.target.namespace,
    name: slot.target.name,
    uid: slot.target.uid,
    ip: slot.target.ip,
    ports: slot.target.ports,
    image: slot.target.image,
    version: slot.target.version,
    state: slot.state,
    ...(slot.child?.pid && slot.state !== 'backoff' ? { pid: slot.child.pid } : {}),
    restarts: slot.restarts,
    ...(slot.lastError ? { lastError: slot.lastError } : {}),
    ...(slot.startedAt ? { startedAt: slot.startedAt.toISOString() } : {}),
  };
}
