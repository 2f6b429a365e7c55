import type { Logger } from 'pino';
import type { Canary, CanaryStatus, OutcomeAlert } from '../api/types.ts';
import { decide, isNeed } from '../engine/decide.ts';
import type { CheckResult, CheckResults, EngineAlert, Plan, Snapshot } from '../engine/model.ts';
import type { KubeWriter } from '../kube/writer.ts';
import { FINALIZER } from '../resources/meta.ts';
import { Applier, type ApplyContext } from './apply.ts';
import type { Caches } from './caches.ts';
import { runCheckStage, type CheckRunner } from './check-runner.ts';
import type { EventSink } from './event-sink.ts';
import { notifyDecision } from './decision-notify.ts';
import { deliverOutcome, MAX_OUTCOME_ATTEMPTS } from './outcome.ts';
import { StatusRecorder } from './record.ts';
import { SpecMemo } from './spec-memo.ts';
import { observe, type Problem } from './snapshot.ts';
import { migrationEvents, MigrationObserver, type RouteRequestCounter } from './migration.ts';
import { stepDelay, type StepDelay } from '../observability/step-delay.ts';

export { ConflictError } from './record.ts';

/**
 * Extra checks of the analysis stage (metrics); webhooks are built in. When `signal` aborts, the checks
 * should stop and reject: whatever they return after that is discarded, never judged as a failure.
 */
export type AnalysisChecker = (
  canary: Canary,
  snapshot: Snapshot,
  signal?: AbortSignal,
) => Promise<CheckResult[]>;
export type AlertSink = (
  canary: Canary,
  alert: EngineAlert | OutcomeAlert,
  status: CanaryStatus,
) => Promise<boolean> | boolean;

export interface ReconcilerOptions {
  caches: Caches;
  writer: KubeWriter;
  log: Logger;
  selectorLabels: string[];
  ingressAnnotationPrefix: string;
  ingressClass?: string;
  /** The operator's Prometheus (--metrics-server), used when a Canary sets no metricsServer. */
  metricsServer?: string;
  clock: () => number;
  analysisChecks?: AnalysisChecker;
  alert?: AlertSink;
  /** Messages for metric providers that do not answer; asked once when a Canary is initialised. */
  providerProblems?: (snapshot: Snapshot, signal?: AbortSignal) => Promise<string[]>;
  /** Reads a route's request count for migrations between providers; without it only a request finishes one. */
  routeRequests?: RouteRequestCounter;
  /**
   * Makes the caches hold the ConfigMaps and Secrets this Canary's reconcile may read (the caches keep
   * only those asked for); awaited before anything is observed.
   */
  holdReferenced?: (canary: Canary) => Promise<void>;
  /** Told when a Canary is gone from the cache (deleted): its per-Canary series go with it. */
  onDeleted?: (namespace: string, name: string) => void;
  /** Told every status the reconciler records (metrics); `previous` is the status before. */
  onStatus?: (canary: Canary, status: CanaryStatus, previous: CanaryStatus) => void;
  /**
   * Told how late a weight step's routes were written, in seconds after the step was due (Plan.stepDueAtMs),
   * and its parts (see StepDelay).
   */
  onStepDelay?: (delay: StepDelay) => void;
  /** Runs check stages off the workers (see CheckRunner); without it they are awaited in the reconcile. */
  checks?: CheckRunner;
  /** Writes the Events of ordinary decisions off the workers (see EventSink); without it they are awaited. */
  events?: EventSink;
  /**
   * Aborted when this reconciler must stop acting (leadership lost, controller stopping): checks and
   * webhooks in flight end, writes are refused, and a reconcile in progress ends before its next write
   * without counting anything as a failed check.
   */
  signal?: AbortSignal;
}

export interface ReconcileResult {
  /** When to look again, counted from the decision (not from the end of the reconcile). */
  requeueAfterMs?: number;
  /** How long before the end of the reconcile its decision was made: that much of the requeue has passed. */
  sinceDecisionMs?: number;
}

const MAX_DECISION_ROUNDS = 8;
/** When part of an outcome could not be delivered, the next attempt comes this soon. */
const OUTCOME_RETRY_MS = 5_000;
/** A reconcile that finds the cache behind our own write looks again this late unless the watch wakes it. */
const CACHE_BEHIND_FALLBACK_MS = 1_000;

/**
 * One reconcile of one Canary: observe from caches, decide (pure), record the decision in status
 * (with the resourceVersion precondition), and only then act on it. Every action is derived from
 * the recorded status and converges when repeated, so a crash or a conflict at any line leaves a
 * state from which the next reconcile does the right thing.
 */
export class Reconciler {
  private readonly options: ReconcilerOptions;
  private readonly applier: Applier;
  private readonly recorder: StatusRecorder;
  private readonly checks: CheckRunner | undefined;
  private readonly migrations: MigrationObserver;
  private readonly specs = new SpecMemo();

  constructor(options: ReconcilerOptions) {
    // Every write, the recorder's and the applier's included, stops with the signal.
    const writer = options.signal ? options.writer.withSignal(options.signal) : options.writer;
    this.options = { ...options, writer };
    this.applier = new Applier(options.caches, writer, options.ingressAnnotationPrefix, options.ingressClass);
    this.recorder = new StatusRecorder(writer);
    this.checks = options.checks;
    this.migrations = new MigrationObserver(options.routeRequests, options.clock);
  }

  async reconcile(namespace: string, name: string): Promise<ReconcileResult> {
    const signal = this.options.signal;
    if (signal?.aborted) return {};
    try {
      return await this.reconcileOnce(namespace, name);
    } catch (err) {
      if (!signal?.aborted) throw err;
      // Stopped mid-way: what was recorded stands (the next leader acts on it), nothing else is written.
      this.options.log.info(
        { canary: `${namespace}/${name}`, reason: String((signal.reason as Error | undefined)?.message) },
        'reconcile stopped before its next write',
      );
      return {};
    }
  }

  private async reconcileOnce(namespace: string, name: string): Promise<ReconcileResult> {
    const startedAtMs = this.options.clock();
    const canary = this.options.caches.canaries.get(name, namespace) as Canary | undefined;
    const key = `${namespace}/${name}`;
    if (!canary) {
      this.recorder.forget(key);
      this.specs.forget(key);
      this.applier.forget(key);
      this.checks?.spent(key);
      this.migrations.forget(key);
      this.options.onDeleted?.(namespace, name);
      return {};
    }
    // The watch event of our own write queues the Canary again; the delay is only a fallback.
    if (this.recorder.cacheIsBehind(key, canary.metadata.resourceVersion))
      return { requeueAfterMs: CACHE_BEHIND_FALLBACK_MS };
    await this.options.holdReferenced?.(canary);
    const deleting = Boolean(canary.metadata.deletionTimestamp);
    const finalizers = canary.metadata.finalizers ?? [];
    if (deleting && !finalizers.includes(FINALIZER)) return {};
    if (!deleting && Boolean(canary.spec.revertOnDeletion) !== finalizers.includes(FINALIZER)) {
      const next = canary.spec.revertOnDeletion
        ? [...finalizers, FINALIZER]
        : finalizers.filter((f) => f !== FINALIZER);
      await this.options.writer.patchCanaryMetadata(namespace, name, {
        finalizers: next,
        resourceVersion: canary.metadata.resourceVersion,
      });
      return {};
    }
    const { issues, spec } = this.specs.of(canary);
    const validationProblem: Problem | undefined = issues.length
      ? { reason: 'InvalidSpec', message: issues.map((i) => `${i.field}: ${i.message}`).join('; ') }
      : undefined;
    const observed = observe(canary, spec, this.options.caches, {
      selectorLabels: this.options.selectorLabels,
      prefix: this.options.ingressAnnotationPrefix,
      validationProblem,
      prometheus: this.options.metricsServer,
    });
    const { snapshot } = observed;
    const decided = await this.decideWithChecks(canary, snapshot);
    if (!decided) return {}; // checks in flight; the check runner queues the Canary again
    const { plan, decidedAtMs } = decided;
    if (
      plan.status.phase === 'Initialized' &&
      snapshot.status.phase !== 'Initialized' &&
      this.options.providerProblems
    ) {
      for (const problem of await this.options.providerProblems(snapshot, this.options.signal))
        plan.events.push({ type: 'Warning', reason: 'MetricsProviderUnavailable', message: problem });
    }

    if (!deleting) {
      const migration = await this.migrations.step(canary, spec, plan.status, this.options.signal);
      if (migration.status) {
        plan.events.push(...migrationEvents(canary, plan.status.migration, migration.status));
        plan.status.migration = migration.status;
      }
      if (migration.recheckMs !== undefined)
        plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? migration.recheckMs, migration.recheckMs);
    }

    // Record: a conflict here means nothing else was written.
    const removesFinalizer = plan.actions.some((a) => a.type === 'removeFinalizer');
    const recordedRv = removesFinalizer
      ? canary.metadata.resourceVersion
      : await this.recorder.record(canary, plan.status);
    if (!removesFinalizer) this.options.onStatus?.(canary, plan.status, canary.status ?? {});

    // Act, from the recorded status. Writes below happen only after the precondition held once.
    const fence = this.recorder.fence(canary, recordedRv);
    const ctx: ApplyContext | undefined =
      observed.target && observed.selectorLabel
        ? {
            canary,
            spec,
            status: plan.status,
            target: observed.target,
            ingress: observed.ingress,
            selectorLabel: observed.selectorLabel,
            configs: snapshot.configs,
            primaryReady: snapshot.primary.ready,
            fence,
            recordedVersion: recordedRv ?? canary.metadata.resourceVersion,
          }
        : undefined;
    const drift: string[] = [];
    if (ctx && !snapshot.problem && !deleting) drift.push(...(await this.applier.ensureInfra(ctx)));
    for (const action of plan.actions) {
      if (action.type === 'removeFinalizer') {
        await fence();
        await this.options.writer.patchCanaryMetadata(namespace, name, {
          finalizers: finalizers.filter((f) => f !== FINALIZER),
          resourceVersion: canary.metadata.resourceVersion,
        });
      } else if (ctx) drift.push(...(await this.applier.execute(ctx, action)));
    }
    if (ctx && plan.stepDueAtMs !== undefined)
      this.options.onStepDelay?.(stepDelay(plan.stepDueAtMs, startedAtMs, decidedAtMs, this.options.clock()));
    for (const what of drift)
      plan.events.push({
        type: 'Warning',
        reason: 'DriftReverted',
        message: `Reverted a hand edit: ${what}`,
      });
    await notifyDecision(this.options, canary, snapshot, plan);
    // A recorded outcome (this one, or one a crash left undelivered) goes out once the objects agree with it.
    const delivered =
      !plan.status.pendingOutcome ||
      removesFinalizer ||
      (await this.deliverAndClear(canary, plan.status, fence));
    // The engine planned the next look from its decision: the writes since then (status, routes, Events)
    // must not push every step of a release later by their own duration.
    return {
      requeueAfterMs: delivered
        ? plan.requeueAfterMs
        : Math.min(plan.requeueAfterMs ?? OUTCOME_RETRY_MS, OUTCOME_RETRY_MS),
      sinceDecisionMs: Math.max(0, this.options.clock() - decidedAtMs),
    };
  }

  /** Delivers the recorded outcome; clears it, or keeps what is left for another attempt. True when done. */
  private async deliverAndClear(
    canary: Canary,
    status: CanaryStatus,
    fence: () => Promise<void>,
  ): Promise<boolean> {
    const { writer, log, clock, alert, signal } = this.options;
    const outcome = status.pendingOutcome!;
    // Deliver only what the API server still says is pending: a stale cache must not send it twice.
    await fence();
    // The decision's own Events (and any still waiting from before) come first, as the engine ordered them.
    await this.options.events?.flush(`${canary.metadata.namespace}/${canary.metadata.name}`);
    const left = await deliverOutcome({ writer, log, clock, alert, signal }, canary, status, outcome);
    signal?.throwIfAborted();
    if (left && (left.attempts ?? 0) < MAX_OUTCOME_ATTEMPTS) {
      await this.recorder.replaceOutcome(canary, outcome.id, left);
      return false;
    }
    if (left)
      log.warn(
        { canary: `${canary.metadata.namespace}/${canary.metadata.name}`, undelivered: left },
        `giving up delivering part of ${outcome.id} after ${left.attempts} attempts`,
      );
    await this.recorder.clearOutcome(canary, outcome.id);
    return true;
  }

  /**
   * Decides, asking for check stages as the engine needs them. With a check runner the stages run
   * outside this reconcile: undefined means they are being gathered and the Canary comes back once
   * they are in. Without one (tests of the reconciler alone) they are awaited here.
   */
  private async decideWithChecks(
    canary: Canary,
    snapshot: Snapshot,
  ): Promise<{ plan: Plan; decidedAtMs: number } | undefined> {
    const key = `${snapshot.namespace}/${snapshot.name}`;
    const version = `${canary.metadata.resourceVersion}|${snapshot.revision}`;
    const results: CheckResults = {};
    for (let round = 0; round < MAX_DECISION_ROUNDS; round++) {
      const decidedAtMs = this.options.clock();
      const out = decide(snapshot, results, decidedAtMs);
      if (!isNeed(out)) {
        this.checks?.spent(key);
        return { plan: out, decidedAtMs };
      }
      const run = () =>
        runCheckStage(canary, snapshot, out.need, this.options.analysisChecks, this.options.signal);
      const stage = this.checks ? await this.checks.results(key, version, out.need, run) : await run();
      if (!stage) return undefined;
      results[out.need] = stage;
      // Results that arrive once stopped are no verdict: none of them reaches the engine.
      this.options.signal?.throwIfAborted();
    }
    throw new Error(`no decision after ${MAX_DECISION_ROUNDS} rounds of checks`);
  }
}
