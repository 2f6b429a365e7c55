/**
 * Work the pod runner does beside its reconcile loop (starting and stopping processes), so that a slow
 * process start never holds back the next pod's sockets: at most `limit` tasks at a time, the others
 * queued in the order they came.
 */
export class TaskPool {
  readonly #limit: number;
  readonly #queue: (() => Promise<void>)[] = [];
  readonly #running = new Set<Promise<void>>();

  constructor(limit: number) {
    if (!(limit >= 1)) throw new RangeError(`limit ${limit} is not at least 1`);
    this.#limit = limit;
  }

  /** Runs `task` now if fewer than `limit` run, else once one ends. A task's rejection is its own to handle. */
  add(task: () => Promise<void>): void {
    this.#queue.push(task);
    this.#pump();
  }

  /** Whether a task runs or waits. */
  get busy(): boolean {
    return this.#running.size > 0;
  }

  /** Resolves once no task runs or waits, including tasks added meanwhile. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  #pump(): void {
    while (this.#running.size < this.#limit && this.#queue.length > 0) {
      const task = this.#queue.shift()!;
      const run: Promise<void> = Promise.resolve()
        .then(task)
        .catch(() => undefined)
        .finally(() => {
          this.#running.delete(run);
          this.#pump();
        });
      this.#running.add(run);
    }
  }
}
