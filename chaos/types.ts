/**
 * What the chaos suite records and judges. Every observation carries the resourceVersion of the object
 * write it saw: on one etcd that is the write's revision, so observations of different kinds (Ingress,
 * Deployment, Canary) are totally ordered by it, whatever order the watches delivered them in.
 */

interface Base {
  /** Namespace of the app (one Canary per namespace). */
  ns: string;
  /** resourceVersion of the write (etcd revision): the order of observations. */
  rv: number;
  /** When the watcher received it (ms since the epoch); for display and per-release time limits. */
  at: number;
}

/** The target Deployment's image tag (what the canary pods run). */
export interface TargetObs extends Base {
  kind: 'target';
  tag: string;
}

/** The `-primary` Deployment's pod template changed: its image tag. */
export interface PrimaryObs extends Base {
  kind: 'primary';
  tag: string;
}

/** The `-canary` Ingress's routing annotations. */
export interface IngressObs extends Base {
  kind: 'ingress';
  weight: number;
  header?: string;
  cookie?: string;
}

/** The Canary's status. */
export interface StatusObs extends Base {
  kind: 'status';
  phase: string;
  canaryWeight: number;
  failedChecks: number;
  revision: string;
  /** Events in `status.pendingOutcome` (a recorded promotion or rollback not cleared yet), when there is one. */
  pendingEvents?: number;
}

export type Observation = TargetObs | PrimaryObs | IngressObs | StatusObs;

export const RELEASE_KINDS = [
  'healthy',
  'webhook-fails',
  'metric-fails',
  'push-while-promoting',
  'abort',
] as const;
export type ReleaseKind = (typeof RELEASE_KINDS)[number];

export type Outcome = 'Succeeded' | 'Failed';

/** One release as planned before the run (from the seed). */
export interface ReleasePlan {
  id: number;
  kind: ReleaseKind;
  /** Image tags in the order they are pushed: one, or two for push-while-promoting. */
  tags: string[];
  /** Tags the test's webhook fails. */
  webhookBad: string[];
  /** Tags the test's Prometheus-API server answers with a failing value for. */
  metricBad: string[];
  /** abort: the canary weight from which the abort is written. */
  abortAtWeight?: number;
}

/** One release as it ran. */
export interface ReleaseRecord extends ReleasePlan {
  ns: string;
  /** resourceVersions of the target Deployment after each image patch, in order. */
  patchRvs: number[];
  /** push-while-promoting: the phase of the last status seen before the push, or 'missed'. */
  pushedIn?: string;
  /** abort: resourceVersion of the Canary after the abort annotation, or undefined when it came too late. */
  abortRv?: number;
  expected: Outcome;
  startedAt: number;
  /** Until when a terminal status counts (startedAt + the per-release time limit). */
  deadlineAt: number;
  endedAt: number;
  /** What the driver saw at the end. */
  outcome: Outcome | 'timeout';
}

export const INVARIANTS = [
  'no-traffic-after-failed',
  'primary-only-analysed',
  'release-ends-as-expected',
  'weight-never-decreases',
  'one-promotion-per-revision',
] as const;
export type Invariant = (typeof INVARIANTS)[number];

export interface Violation {
  invariant: Invariant;
  ns: string;
  rv?: number;
  release?: number;
  detail: string;
}
