import type { CanarySpec, CanaryStatus, HookType, HttpMatch, Measurement, Phase } from '../api/types.ts';
import type { MetricCheckRecord } from '../api/analysis.ts';
import type { DecisionStatus } from '../api/steps.ts';
import type { MetricClassification } from '../judge/classify.ts';

/** What the engine knows about one Deployment (the target, the primary or the baseline). */
export interface WorkloadView {
  exists: boolean;
  /** spec.replicas as written. */
  replicas: number;
  /** Hash of the pod template (for the target) or of the template it was promoted from (primary). */
  templateHash?: string;
  /** True when the rollout has finished and enough pods are ready (see readyThreshold). */
  ready: boolean;
  /** Ready pods; with `replicas` it says how far a rollout is. */
  readyReplicas: number;
  /** Why it is not ready, for messages. */
  notReadyReason?: string;
  /** At least one ready pod that can serve traffic. */
  available: boolean;
}

/** Everything one reconcile of one Canary decides from; built by the shell from watch caches. */
export interface Snapshot {
  name: string;
  namespace: string;
  generation: number;
  spec: CanarySpec;
  status: CanaryStatus;
  deleting: boolean;
  /** When the Canary was marked for deletion (metadata.deletionTimestamp). */
  deletionTimestamp?: string;
  target: WorkloadView;
  primary: WorkloadView;
  /**
   * The baseline Deployment (`<target>-baseline`, the control with analysis.judge.baseline): present when the
   * Canary asks for one or one exists (to be scaled down).
   */
  baseline?: WorkloadView;
  /** Hashes of the ConfigMaps/Secrets the target's pods use, keyed `configmap/<name>` / `secret/<name>`. */
  configs: Record<string, string>;
  /** The canary weight currently set on the canary Ingress, when it exists. */
  routedWeight?: number;
  /** minReplicas of the target's HPA (spec.autoscalerRef), which the canary's scale-up respects. */
  autoscalerMinReplicas?: number;
  /** Whether header/cookie rules route the canary now (A/B testing). */
  routedMatch?: boolean;
  /** Whether the shell can count the data plane's requests (a Prometheus is known and the Canary routes by Ingress). */
  splitObservable?: boolean;
  /** Revision of what the target runs now: its template and tracked configs. */
  revision: string;
  /** Requests people made for a revision (annotations written by `kanaria promote|abort` and the gate API). */
  requests: {
    approve?: string;
    abort?: string;
    promote?: string;
    /** The last decision a person recorded through Slack, the gate API or the CLI: who, what, when. */
    decision?: DecisionStatus;
  };
  /**
   * Whether the data plane took the route object (a Gateway accepted the HTTPRoute), with its reason;
   * absent for providers that report nothing (ingress-nginx). No weight above 0 is set while not ready.
   */
  route?: { ready: boolean; reason: string; message: string };
  /** A semantic problem found by the shell (missing target, ingress without the apex backend, …). */
  problem?: { reason: string; message: string };
}

export type CheckKind = 'webhook' | 'metric' | 'compare' | 'window' | 'split';

/** The outcome of one check: a value, never an exception. */
export interface CheckResult {
  kind: CheckKind;
  name: string;
  hookType?: HookType;
  ok: boolean;
  message: string;
  value?: number;
  /** kind split: requests counted in the last interval (absent when the data plane's series said nothing). */
  split?: { canary: number; total: number };
  /** kind compare: the metric judged against the control, and the groups it scores in. */
  comparison?: { classification: MetricClassification; groups?: string[] };
  /** kinds metric and compare: what status keeps of the check (value, bounds or statistics, verdict). */
  record?: MetricCheckRecord;
}

export type CheckStage =
  | 'confirm-rollout'
  | 'pre-rollout'
  | 'analysis'
  | 'rollback'
  | 'confirm-traffic-increase'
  | 'confirm-promotion';

/** The checks a reconcile must run before `decide`, by stage. */
export type CheckResults = Partial<Record<CheckStage, CheckResult[]>>;

export type Action =
  | { type: 'initPrimary' }
  /** Copies the target to the primary, only if it still is exactly the analysed revision. */
  | { type: 'promote'; templateHash: string; configs: Record<string, string> }
  | { type: 'scaleTarget'; replicas: number }
  /** Creates or updates the baseline from the primary's pod template at `replicas` (0: stopped). */
  | { type: 'scaleBaseline'; replicas: number }
  /** `rules`: the header route of analysis.steps (else A/B routes use analysis.match). */
  | { type: 'setWeight'; weight: number; match: boolean; rules?: HttpMatch[] }
  | { type: 'revertOnDeletion' }
  | { type: 'removeFinalizer' };

export interface EngineEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export type AlertKind =
  'initialized' | 'new-revision' | 'waiting-approval' | 'promoted' | 'rolled-back' | 'failed';

export interface EngineAlert {
  kind: AlertKind;
  severity: 'info' | 'warn' | 'error';
  message: string;
  reason?: string;
  measurements?: Measurement[];
}

export interface Plan {
  actions: Action[];
  status: CanaryStatus;
  events: EngineEvent[];
  alerts: EngineAlert[];
  /** When to look again even if nothing changes; undefined = only on change. */
  requeueAfterMs?: number;
  /**
   * When the weight step this decision takes was due: the last step's time plus the interval. Set only
   * when the decision raises the canary weight after such a wait; the shell measures how late it is.
   */
  stepDueAtMs?: number;
}

export type { Phase };
