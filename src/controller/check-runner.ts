import type { Canary, HookType } from '../api/types.ts';
import { runHooks } from '../checks/webhooks.ts';
import type { CheckResult, CheckResults, CheckStage, Snapshot } from '../engine/model.ts';
import { hookPayload } from './outcome.ts';
import type { AnalysisChecker } from './reconciler.ts';

interface Entry {
  /** The Canary's resourceVersion and the target's revision the results are about. */
  version: string;
  results: CheckResults;
  /** Stages being gathered: resolve to their results, or undefined when stopped. */
  running: Map<CheckStage, Promise<CheckResult[] | undefined>>;
  /** Stages a reconcile is waiting for in its worker: their results need no wake. */
  awaited: Set<CheckStage>;
}

export interface CheckRunnerOptions {
  /** Queues the Canary again once results it could not wait for are in. */
  wake: (key: string) => void;
  /** Told how long each stage took, from its start to its results in (for metrics). */
  onGathered?: (stage: CheckStage, seconds: number) => void;
  /**
   * How long a reconcile that starts a stage waits for it in its worker before giving the worker back
   * (0: never). Checks that answer within it make a step one reconcile instead of two.
   */
  inlineWaitMs?: number;
  /** How many reconciles may wait so at once: slow checks never hold more workers than this. */
  maxInlineWaits?: number;
}

/**
 * Runs check stages outside the worker that asked for them, so a slow or hung webhook of one Canary
 * never holds a worker another Canary needs. A reconcile that needs a stage gets its results if they
 * are in for this version of the Canary; otherwise the stage starts and the reconcile waits a short,
 * bounded while for it; if the results are not in by then, the reconcile ends and `wake` queues the
 * Canary again once they are. Results are observations, never decisions: they are dropped as soon as
 * the Canary or its target changes, and once a decision used them.
 */
export class CheckRunner {
  private readonly entries = new Map<string, Entry>();
  private readonly options: CheckRunnerOptions;
  private inlineWaits = 0;

  constructor(options: CheckRunnerOptions) {
    this.options = options;
  }

  /** The results of `stage` for `version`, or undefined while they are being gathered. */
  async results(
    key: string,
    version: string,
    stage: CheckStage,
    run: () => Promise<CheckResult[]>,
  ): Promise<CheckResult[] | undefined> {
    let entry = this.entries.get(key);
    if (!entry || entry.version !== version) {
      entry = { version, results: {}, running: new Map(), awaited: new Set() };
      this.entries.set(key, entry);
    }
    const done = entry.results[stage];
    if (done) return done;
    const gathering = entry.running.get(stage) ?? this.start(key, entry, stage, run);
    const waitMs = this.options.inlineWaitMs ?? 0;
    if (waitMs <= 0 || this.inlineWaits >= (this.options.maxInlineWaits ?? 1)) return undefined;
    this.inlineWaits++;
    entry.awaited.add(stage);
    let timer: NodeJS.Timeout | undefined;
    try {
      const expired = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), waitMs);
      });
      return await Promise.race([gathering, expired]);
    } finally {
      // Runs before any later timer or I/O callback: results that come after this wake the Canary.
      clearTimeout(timer);
      entry.awaited.delete(stage);
      this.inlineWaits--;
    }
  }

  private start(
    key: string,
    entry: Entry,
    stage: CheckStage,
    run: () => Promise<CheckResult[]>,
  ): Promise<CheckResult[] | undefined> {
    const started = performance.now();
    const gathering = run().then(
      (results) => {
        entry.results[stage] = results;
        this.options.onGathered?.(stage, (performance.now() - started) / 1000);
        return results;
      },
      // Aborted (leadership lost, shutdown): nobody waits for these results any more.
      () => undefined,
    );
    entry.running.set(stage, gathering);
    // Registered before any waiter's race, so it runs first and sees whether a reconcile is waiting.
    void gathering.then((results) => {
      entry.running.delete(stage);
      if (results && !entry.awaited.has(stage) && this.entries.get(key) === entry) this.options.wake(key);
    });
    return gathering;
  }

  /** A decision used the results (or the Canary is gone): the next one gathers fresh ones. */
  spent(key: string): void {
    this.entries.delete(key);
  }

  /** Canaries with checks in flight (for metrics and tests). */
  get inFlight(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.running.size;
    return n;
  }
}

/** One check stage: its webhooks and, for the analysis, the metric checks, run side by side. */
export async function runCheckStage(
  canary: Canary,
  snapshot: Snapshot,
  stage: CheckStage,
  analysisChecks: AnalysisChecker | undefined,
  signal: AbortSignal | undefined,
): Promise<CheckResult[]> {
  const hookType: HookType = stage === 'analysis' ? 'rollout' : stage;
  const phase = snapshot.status.phase ?? 'Progressing';
  const payload = {
    ...hookPayload(canary, snapshot.status, phase),
    checksum: snapshot.target.templateHash ?? '',
    revision: snapshot.revision,
  };
  const hooks = runHooks(snapshot.spec.analysis.webhooks, hookType, payload, signal);
  if (stage !== 'analysis' || !analysisChecks) return hooks;
  const [h, m] = await Promise.all([hooks, analysisChecks(canary, snapshot, signal)]);
  return [...h, ...m];
}
