/**
 * Whether the controller is in a busy spell: busy now (`busyNow`), or busy at some moment within the last
 * `quietMs` that it was sampled. Sampled whenever asked and at each `note()` (the manager notes every
 * reconcile it starts), so the short gaps inside a wave of steps do not end the spell.
 */
export class BusySpell {
  private readonly busyNow: () => boolean;
  private readonly quietMs: number;
  private readonly clock: () => number;
  private lastBusyAt = -Infinity;

  constructor(busyNow: () => boolean, quietMs: number, clock: () => number = Date.now) {
    this.busyNow = busyNow;
    this.quietMs = quietMs;
    this.clock = clock;
  }

  /** Samples the controller now. */
  note(): void {
    if (this.busyNow()) this.lastBusyAt = this.clock();
  }

  /** True while busy now or within the last `quietMs` of being seen busy. */
  get busy(): boolean {
    this.note();
    return this.clock() - this.lastBusyAt < this.quietMs;
  }
}

/**
 * Busy: a Canary waits for a worker, or at least a quarter of the workers (and at least two) are running a
 * reconcile. One worker's reconciles alone never make a spell: a lone release's Events go out at once.
 */
export function workersBusy(
  waiting: () => number,
  running: () => number,
  workerCount: number,
): () => boolean {
  const many = Math.max(2, Math.ceil(workerCount / 4));
  return () => waiting() > 0 || running() >= many;
}
