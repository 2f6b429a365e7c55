import type { CanaryStatus, HookType, HttpMatch, OutcomeAlert, OutcomeEvent } from '../api/types.ts';
import { stepAt } from './steps.ts';
import { parseDuration } from '../api/duration.ts';
import type {
  Action,
  CheckResult,
  CheckResults,
  CheckStage,
  EngineAlert,
  EngineEvent,
  Plan,
  Snapshot,
} from './model.ts';
import { observesSplit } from './split.ts';
import { promotedCondition, setCondition } from './status.ts';
import type { Phase } from '../api/types.ts';

/** Asked for check results the shell has not run yet; `decide` answers with this instead of a plan. */
export interface NeedChecks {
  need: CheckStage;
}

export const WAIT_READY_MS = 2000;
/** The first fallback look at a rollout that is not ready (see requeueWhileWaiting). */
export const WAIT_FIRST_LOOK_MS = 30_000;
/** The longest pause between two looks at a rollout that is still not ready (see requeueWhileWaiting). */
export const WAIT_READY_MAX_MS = 120_000;
/** How long a wait for a rollout lasts before its changing message is written (see Decision.waitMessage). */
export const WAIT_MESSAGE_MS = 10_000;

/** The mutable scratchpad of one decision; only `decide` creates it and only it leaves the engine as a Plan. */
export class Decision {
  readonly s: Snapshot;
  readonly results: CheckResults;
  readonly now: number;
  readonly nowIso: string;
  status: CanaryStatus;
  actions: Action[] = [];
  events: EngineEvent[] = [];
  alerts: EngineAlert[] = [];
  requeueAfterMs: number | undefined;
  /** When the look this decision makes was due (see Plan.stepDueAtMs). */
  lookDueAtMs: number | undefined;

  constructor(s: Snapshot, results: CheckResults, now: number) {
    this.s = s;
    this.results = results;
    this.now = now;
    this.nowIso = new Date(now).toISOString();
    this.status = { ...s.status };
  }

  get id(): string {
    return `${this.s.name}.${this.s.namespace}`;
  }

  /** The analysis interval; a step of analysis.steps may set its own. */
  get intervalMs(): number {
    const step = stepAt(this.s.spec.analysis, this.status.currentStep);
    return parseDuration(step?.interval ?? this.s.spec.analysis.interval);
  }

  get thresholdCount(): number {
    return this.s.spec.analysis.threshold ?? 1;
  }

  get deadlineMs(): number {
    return (this.s.spec.progressDeadlineSeconds ?? 600) * 1000;
  }

  hasHooks(type: HookType): boolean {
    return (this.s.spec.analysis.webhooks ?? []).some((h) => (h.type ?? 'rollout') === type);
  }

  /** Results of a stage; undefined means the shell must run it first (see NeedChecks). */
  checks(stage: CheckStage): CheckResult[] | undefined {
    const hookType: HookType = stage === 'analysis' ? 'rollout' : stage;
    const hasMetrics =
      stage === 'analysis' && ((this.s.spec.analysis.metrics ?? []).length > 0 || this.splitObserved);
    if (!this.hasHooks(hookType) && !hasMetrics) return [];
    // An approval for this revision opens every confirm-* gate.
    if (stage.startsWith('confirm-') && this.s.requests.approve === this.s.revision) return [];
    return this.results[stage];
  }

  /** Whether this step's analysis counts the requests the canary received (see split.ts). */
  get splitObserved(): boolean {
    return observesSplit(this.s, this.status);
  }

  event(type: EngineEvent['type'], reason: string, message: string): void {
    this.events.push({ type, reason, message });
  }

  phase(phase: Phase, message: string): void {
    if (this.status.phase !== phase) {
      this.status.phase = phase;
      this.status.lastTransitionTime = this.nowIso;
    }
    this.status.message = message;
  }

  /**
   * The message of a wait for a rollout. It goes out with the write that starts the wait, then at most once
   * per WAIT_MESSAGE_MS since the wait started or the message last changed (the Promoted condition's
   * lastUpdateTime): a quick rollout's passing states (not observed yet, 0 of 1 available, …) cost no status
   * write each, a slow one says why it waits and how far it is. No decision reads these messages.
   */
  waitMessage(message: string): void {
    const since = this.s.status.waitingSince;
    if (since === undefined) {
      this.status.message = message;
      return;
    }
    const updated = this.s.status.conditions?.find((c) => c.type === 'Promoted')?.lastUpdateTime;
    const last = Math.max(Date.parse(since), updated ? Date.parse(updated) : 0);
    if (this.now - last >= WAIT_MESSAGE_MS) this.status.message = message;
  }

  /**
   * Looks at a rollout that is not ready yet once WAIT_FIRST_LOOK_MS after the wait began, then every
   * WAIT_READY_MAX_MS, and at the progress deadline. The Deployment's own watch events queue the Canary
   * as soon as its rollout moves, so these looks are only a safety net: a thousand Canaries waiting
   * minutes for their pods are not reconciled on a timer each.
   */
  requeueWhileWaiting(since: number): void {
    const waited = Math.max(0, this.now - since);
    const untilDeadline = this.deadlineMs - waited;
    const untilNextLook =
      waited < WAIT_FIRST_LOOK_MS
        ? WAIT_FIRST_LOOK_MS - waited
        : WAIT_READY_MAX_MS - ((waited - WAIT_FIRST_LOOK_MS) % WAIT_READY_MAX_MS);
    this.requeue(Math.max(Math.min(untilNextLook, untilDeadline), WAIT_READY_MS));
  }

  /** An analysis step is done: the next one is due one interval from now. */
  stepDone(): undefined {
    this.status.lastStepTime = this.nowIso;
    this.requeue(this.intervalMs);
    return undefined;
  }

  requeue(ms: number): void {
    this.requeueAfterMs = this.requeueAfterMs === undefined ? ms : Math.min(this.requeueAfterMs, ms);
  }

  /**
   * Records a promotion or rollback for delivery: its events, alert and post-rollout hooks go out
   * after the status that holds them is written, and again after a crash until they are cleared.
   */
  outcome(alert: OutcomeAlert, events: OutcomeEvent[]): void {
    // An earlier outcome still undelivered keeps its parts: nothing recorded is dropped.
    const earlier = this.status.pendingOutcome;
    this.status.pendingOutcome = {
      id: `${alert.kind}@${this.nowIso}`,
      events: [...(earlier?.events ?? []), ...events],
      alerts: [...(earlier?.alerts ?? []), alert],
      postRollout: true,
    };
  }

  /** Sets the routes; a later call in the same decision replaces an earlier one (only the last is written). */
  setWeight(weight: number, match = false, rules?: HttpMatch[]): void {
    this.actions = this.actions.filter((a) => a.type !== 'setWeight');
    this.actions.push({ type: 'setWeight', weight, match, ...(rules ? { rules } : {}) });
    if ((this.status.canaryWeight ?? 0) !== weight)
      this.status.previousWeight = this.status.canaryWeight ?? 0;
    this.status.canaryWeight = weight;
  }

  plan(): Plan {
    const phase = this.status.phase ?? 'Initializing';
    const status: CanaryStatus = {
      ...this.status,
      observedGeneration: this.s.generation,
      conditions: setCondition(
        this.status.conditions,
        promotedCondition(phase, this.status.message ?? '', this.s.generation),
        this.nowIso,
      ),
    };
    return {
      actions: this.actions,
      status,
      events: this.events,
      alerts: this.alerts,
      requeueAfterMs: this.requeueAfterMs,
      ...(this.lookDueAtMs !== undefined && (status.canaryWeight ?? 0) > (this.s.status.canaryWeight ?? 0)
        ? { stepDueAtMs: this.lookDueAtMs }
        : {}),
    };
  }
}
