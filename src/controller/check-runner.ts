import type { CheckResult, CheckResults, CheckStage } from '../engine/model.ts';

interface Entry {
  /** The Canary's resourceVersion and the target's revision the results are about. */
  version: string;
  results: CheckResults;
  running: Set<CheckStage>;
}

/**
 * Runs check stages outside the worker that asked for them, so a slow or hung webhook of one Canary
 * never holds a worker another Canary needs. A reconcile that needs a stage gets its results if they
 * are in for this version of the Canary; otherwise the stage starts, the reconcile ends, and `wake`
 * queues the Canary again once the results are in. Results are observations, never decisions: they
 * are dropped as soon as the Canary or its target changes, and once a decision used them.
 */
export class CheckRunner {
  private readonly entries = new Map<string, Entry>();
  private readonly wake: (key: string) => void;
  private readonly onGathered: ((stage: CheckStage, seconds: number) => void) | undefined;

  /** `onGathered` is told how long each stage took, from its start to its results in (for metrics). */
  constructor(wake: (key: string) => void, onGathered?: (stage: CheckStage, seconds: number) => void) {
    this.wake = wake;
    this.onGathered = onGathered;
  }

  /** The results of `stage` for `version`, or undefined while they are being gathered. */
  results(
    key: string,
    version: string,
    stage: CheckStage,
    run: () => Promise<CheckResult[]>,
  ): CheckResult[] | undefined {
    let entry = this.entries.get(key);
    if (!entry || entry.version !== version) {
      entry = { version, results: {}, running: new Set() };
      this.entries.set(key, entry);
    }
    const done = entry.results[stage];
    if (done) return done;
    if (entry.running.has(stage)) return undefined;
    entry.running.add(stage);
    const current = entry;
    const started = performance.now();
    void run()
      .then(
        (results) => {
          current.results[stage] = results;
          this.onGathered?.(stage, (performance.now() - started) / 1000);
          return true;
        },
        // Aborted (leadership lost, shutdown): nobody waits for these results any more.
        () => false,
      )
      .then((gathered) => {
        current.running.delete(stage);
        if (gathered && this.entries.get(key) === current) this.wake(key);
      });
    return undefined;
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
