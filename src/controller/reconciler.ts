import type { Logger } from 'pino';
import type { Canary, CanaryStatus, HookType } from '../api/types.ts';
import { withDefaults } from '../api/defaults.ts';
import { validateCanary } from '../api/validate.ts';
import { hooksOfType, runHooks, type HookPayload } from '../checks/webhooks.ts';
import { decide, isNeed } from '../engine/decide.ts';
import type { CheckResult, CheckResults, CheckStage, EngineAlert, Plan, Snapshot } from '../engine/model.ts';
import { describeError, statusCode } from '../kube/client.ts';
import type { KubeWriter } from '../kube/writer.ts';
import { stableJson } from '../resources/hash.ts';
import { FINALIZER } from '../resources/meta.ts';
import { Applier } from './apply.ts';
import type { Caches } from './caches.ts';
import { observe, type Problem } from './snapshot.ts';

/** Extra checks of the analysis stage (metrics); webhooks are built in. */
export type AnalysisChecker = (canary: Canary, snapshot: Snapshot) => Promise<CheckResult[]>;
export type AlertSink = (canary: Canary, alert: EngineAlert, status: CanaryStatus) => void;

export interface ReconcilerOptions {
  caches: Caches;
  writer: KubeWriter;
  log: Logger;
  selectorLabels: string[];
  ingressAnnotationPrefix: string;
  ingressClass?: string;
  clock: () => number;
  analysisChecks?: AnalysisChecker;
  alert?: AlertSink;
  /** Messages for metric providers that do not answer; asked once when a Canary is initialised. */
  providerProblems?: (snapshot: Snapshot) => Promise<string[]>;
  /** Told every status the reconciler records (metrics); `previous` is the status before. */
  onStatus?: (canary: Canary, status: CanaryStatus, previous: CanaryStatus) => void;
}

export interface ReconcileResult {
  requeueAfterMs?: number;
}

const MAX_DECISION_ROUNDS = 8;
const STATUS_KEYS: (keyof CanaryStatus)[] = [
  'phase',
  'canaryWeight',
  'failedChecks',
  'iterations',
  'lastAppliedSpec',
  'lastPromotedSpec',
  'trackedConfigs',
  'promotedConfigs',
  'lastTransitionTime',
  'lastStepTime',
  'waitingSince',
  'canaryReplicas',
  'revision',
  'releaseStartTime',
  'message',
  'observedGeneration',
  'conditions',
];

/** One reconcile of one Canary: observe from caches, decide (pure), apply, record. */
export class Reconciler {
  private readonly o: ReconcilerOptions;
  private readonly applier: Applier;
  /** resourceVersions of our own status writes the watch cache has not shown yet (an optimisation only). */
  private readonly written = new Map<string, bigint>();

  constructor(options: ReconcilerOptions) {
    this.o = options;
    this.applier = new Applier(
      options.caches,
      options.writer,
      options.ingressAnnotationPrefix,
      options.ingressClass,
    );
  }

  async reconcile(namespace: string, name: string): Promise<ReconcileResult> {
    const canary = this.o.caches.canaries.get(name, namespace) as Canary | undefined;
    if (!canary) {
      this.written.delete(`${namespace}/${name}`);
      return {};
    }
    if (this.cacheIsBehind(`${namespace}/${name}`, canary.metadata.resourceVersion))
      return { requeueAfterMs: 100 };
    const log = this.o.log.child({ canary: `${namespace}/${name}` });
    const deleting = Boolean(canary.metadata.deletionTimestamp);
    const finalizers = canary.metadata.finalizers ?? [];
    if (deleting && !finalizers.includes(FINALIZER)) return {};
    if (!deleting && Boolean(canary.spec.revertOnDeletion) !== finalizers.includes(FINALIZER)) {
      const next = canary.spec.revertOnDeletion
        ? [...finalizers, FINALIZER]
        : finalizers.filter((f) => f !== FINALIZER);
      await this.o.writer.patchCanaryMetadata(namespace, name, {
        finalizers: next,
        resourceVersion: canary.metadata.resourceVersion,
      });
      return {};
    }

    const issues = validateCanary(canary);
    const validationProblem: Problem | undefined = issues.length
      ? { reason: 'InvalidSpec', message: issues.map((i) => `${i.field}: ${i.message}`).join('; ') }
      : undefined;
    const spec = withDefaults(canary.spec);
    const observed = observe(canary, spec, this.o.caches, {
      selectorLabels: this.o.selectorLabels,
      prefix: this.o.ingressAnnotationPrefix,
      validationProblem,
    });
    const { snapshot } = observed;
    const ctx =
      observed.target && observed.selectorLabel
        ? {
            canary,
            spec,
            target: observed.target,
            ingress: observed.ingress,
            selectorLabel: observed.selectorLabel,
            configs: snapshot.configs,
          }
        : undefined;
    if (ctx && !snapshot.problem && !deleting) await this.applier.ensureInfra(ctx);

    const plan = await this.decideWithChecks(canary, snapshot);
    if (
      plan.status.phase === 'Initialized' &&
      snapshot.status.phase !== 'Initialized' &&
      this.o.providerProblems
    ) {
      for (const problem of await this.o.providerProblems(snapshot))
        plan.events.push({ type: 'Warning', reason: 'MetricsProviderUnavailable', message: problem });
    }
    for (const action of plan.actions) {
      if (action.type === 'runHooks')
        this.fireHooks(canary, snapshot, 'post-rollout', plan.status.phase ?? '');
      else if (action.type === 'removeFinalizer')
        await this.o.writer.patchCanaryMetadata(namespace, name, {
          finalizers: finalizers.filter((f) => f !== FINALIZER),
          resourceVersion: canary.metadata.resourceVersion,
        });
      else if (ctx) await this.applier.execute(ctx, action);
    }
    await this.recordStatus(
      canary,
      plan.status,
      plan.actions.some((a) => a.type === 'removeFinalizer'),
    );
    this.o.onStatus?.(canary, plan.status, canary.status ?? {});
    for (const e of plan.events) {
      log[e.type === 'Warning' ? 'warn' : 'info']({ reason: e.reason }, e.message);
      this.fireHooks(canary, snapshot, 'event', plan.status.phase ?? '', e.message, e.type);
      await this.o.writer
        .createEvent({
          namespace,
          regarding: { apiVersion: canary.apiVersion, kind: 'Canary', name, uid: canary.metadata.uid },
          type: e.type,
          reason: e.reason,
          action: 'Reconcile',
          note: e.message,
          now: new Date(this.o.clock()),
        })
        .catch((err) => log.warn({ err: describeError(err) }, 'recording an event failed'));
    }
    for (const a of plan.alerts) this.o.alert?.(canary, a, plan.status);
    return { requeueAfterMs: plan.requeueAfterMs };
  }

  private async decideWithChecks(canary: Canary, snapshot: Snapshot): Promise<Plan> {
    const results: CheckResults = {};
    for (let round = 0; round < MAX_DECISION_ROUNDS; round++) {
      const out = decide(snapshot, results, this.o.clock());
      if (!isNeed(out)) return out;
      results[out.need] = await this.runStage(canary, snapshot, out.need);
    }
    throw new Error(`no decision after ${MAX_DECISION_ROUNDS} rounds of checks`);
  }

  private cacheIsBehind(key: string, cachedRv: string | undefined): boolean {
    const written = this.written.get(key);
    const cached = parseRv(cachedRv);
    if (written === undefined || cached === undefined) return false;
    if (cached >= written) {
      this.written.delete(key);
      return false;
    }
    return true;
  }

  private payload(canary: Canary, snapshot: Snapshot, phase: string): HookPayload {
    return {
      name: canary.metadata.name,
      namespace: canary.metadata.namespace!,
      phase,
      checksum: snapshot.target.templateHash ?? '',
    };
  }

  private async runStage(canary: Canary, snapshot: Snapshot, stage: CheckStage): Promise<CheckResult[]> {
    const hookType: HookType = stage === 'analysis' ? 'rollout' : stage;
    const phase = snapshot.status.phase ?? 'Progressing';
    const hooks = runHooks(snapshot.spec.analysis.webhooks, hookType, this.payload(canary, snapshot, phase));
    if (stage !== 'analysis' || !this.o.analysisChecks) return hooks;
    const [h, m] = await Promise.all([hooks, this.o.analysisChecks(canary, snapshot)]);
    return [...h, ...m];
  }

  /** Post-rollout and event hooks run in the background: their outcome changes nothing. */
  private fireHooks(
    canary: Canary,
    snapshot: Snapshot,
    type: 'post-rollout' | 'event',
    phase: string,
    message?: string,
    eventType?: string,
  ): void {
    const hooks = hooksOfType(snapshot.spec.analysis.webhooks, type);
    if (hooks.length === 0) return;
    const payload = this.payload(canary, snapshot, phase);
    if (message)
      payload.metadata = {
        eventMessage: message,
        eventType: eventType ?? 'Normal',
        timestamp: String(this.o.clock()),
      };
    void runHooks(hooks, type, payload).then((results) => {
      for (const r of results)
        if (!r.ok) this.o.log.warn({ canary: `${payload.namespace}/${payload.name}` }, r.message);
    });
  }

  private async recordStatus(canary: Canary, status: CanaryStatus, deleted: boolean): Promise<void> {
    if (deleted) return;
    const before = canary.status ?? {};
    if (stableJson(before) === stableJson(status)) return;
    // Merge patch: keys that are gone must be sent as null to be removed.
    const patch: Record<string, unknown> = {};
    for (const k of STATUS_KEYS) patch[k] = status[k] ?? null;
    try {
      const rv = await this.o.writer.patchCanaryStatus(
        canary.metadata.namespace!,
        canary.metadata.name,
        patch,
        canary.metadata.resourceVersion,
      );
      const parsed = parseRv(rv);
      if (parsed !== undefined)
        this.written.set(`${canary.metadata.namespace}/${canary.metadata.name}`, parsed);
    } catch (err) {
      if (statusCode(err) === 409)
        throw new ConflictError(`status of ${canary.metadata.name} changed meanwhile`, { cause: err });
      throw err;
    }
  }
}

function parseRv(rv: string | undefined): bigint | undefined {
  try {
    return rv ? BigInt(rv) : undefined;
  } catch {
    return undefined;
  }
}

export class ConflictError extends Error {
  readonly code = 'ECONFLICT';
}
