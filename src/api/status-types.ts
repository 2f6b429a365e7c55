/** The status of a Canary: everything the controller needs to resume a release lives here. */
import type { AnalysisRecord } from './analysis.ts';
import type { DecisionStatus } from './steps.ts';
import type { Provider } from './types.ts';

/** A move between providers, in status: from where, to where, and whether the old route is gone. */
export interface MigrationStatus {
  from: Provider;
  to: Provider;
  startedAt: string;
  /** When the old route's request counter last moved (the start until it is first read). */
  lastRequestAt?: string;
  /** The old route's request counter at the last reading. */
  oldRouteRequests?: number;
  /** When the old route was retired; it is deleted and not written again. */
  finishedAt?: string;
  finishedBy?: 'idle' | 'request';
  message?: string;
}

export const PHASES = [
  'Initializing',
  'Initialized',
  'Waiting',
  'Progressing',
  'WaitingPromotion',
  'Promoting',
  'Finalising',
  'Succeeded',
  'Failed',
  'Terminating',
  'Terminated',
] as const;
export type Phase = (typeof PHASES)[number];

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  lastUpdateTime?: string;
  observedGeneration?: number;
}

export interface CanaryStatus {
  phase?: Phase;
  canaryWeight?: number;
  failedChecks?: number;
  iterations?: number;
  /** Hash of the target's pod template that the current or last release is about. */
  lastAppliedSpec?: string;
  /** Hash of the target's pod template that was last copied to the primary. */
  lastPromotedSpec?: string;
  /** Hashes of tracked ConfigMaps/Secrets, keyed `configmap/<name>` or `secret/<name>`. */
  trackedConfigs?: Record<string, string>;
  /** Tracked config hashes that were last copied to the primary. */
  promotedConfigs?: Record<string, string>;
  lastTransitionTime?: string;
  /** When the last analysis step ran; the next one is due an interval later. */
  lastStepTime?: string;
  /** When the current wait (canary or primary readiness) began, for the progress deadline. */
  waitingSince?: string;
  /** Replicas the canary is scaled to during a release. */
  canaryReplicas?: number;
  /** When the current or last release started. */
  releaseStartTime?: string;
  /** Revision (template + tracked configs) of the pending or current release; approvals and aborts name it. */
  revision?: string;
  message?: string;
  observedGeneration?: number;
  conditions?: Condition[];
  /** When the canary first got routes (weight or header) in the current release; unset before. */
  trafficSince?: string;
  /**
   * The outcome (promotion or rollback) whose events, alert and post-rollout hooks are recorded
   * but not delivered yet; cleared once they were, so a crash in between delivers them again.
   */
  pendingOutcome?: PendingOutcome;
  /** The canary weight before the last change: a window that straddles the change saw both. */
  previousWeight?: number;
  /** What the data plane did with the last interval's requests (see ObservedSplitSpec). */
  observedSplit?: ObservedSplit;
  /** The current or last move between providers. */
  migration?: MigrationStatus;
  /** Every analysis interval of the current or last release: values, thresholds, statistics, verdicts. */
  analysis?: AnalysisRecord;
  /** analysis.steps: index (from 0) of the step in force; unset before the first step. */
  currentStep?: number;
  /** analysis.steps: when the step in force began (a pause's duration counts from it). */
  stepStartTime?: string;
  /** The last approval or rollback request a person made for the current release. */
  lastDecision?: DecisionStatus;
}

export interface ObservedSplit {
  /** When the counts were read. */
  at: string;
  /** The canary weight in force, and the one before it (the window may hold requests routed by either). */
  weight: number;
  previousWeight: number;
  /** Requests the canary served, and the app's requests in all, during the last interval. */
  canaryRequests: number;
  requests: number;
  /** canaryRequests / requests in percent, one decimal. */
  share: number;
  /** The binomial test's p-value; absent when too few requests were counted to judge. */
  pValue?: number;
  /** Consecutive intervals whose split was incompatible with the weight. */
  incompatibleIntervals: number;
}

export interface OutcomeEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface OutcomeAlert {
  kind: 'promoted' | 'rolled-back';
  severity: 'info' | 'warn' | 'error';
  message: string;
  reason?: string;
  measurements?: Measurement[];
}

/** A measured value behind a decision: what was measured, against what, and the verdict. */
export interface Measurement {
  name: string;
  value?: number;
  message: string;
  /** What the value was held against: "max 500", "min 99", or the control's value. */
  threshold?: string;
  verdict?: string;
}

export interface PendingOutcome {
  /** Names this record; clearing or updating it tests the id, so a newer record is never touched. */
  id: string;
  /** Events not recorded yet. */
  events: OutcomeEvent[];
  /** Alerts not delivered yet. */
  alerts: OutcomeAlert[];
  /** Whether the post-rollout webhooks still have to be called. */
  postRollout: boolean;
  /** Delivery attempts that left something undelivered; Kanaria gives up after a few. */
  attempts?: number;
}
