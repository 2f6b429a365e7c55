/**
 * How late a weight step's routes were written, split where the time went, so that a late fleet shows
 * whether to look at the queue, the checks or the API server.
 */
export interface StepDelay {
  /** From when the step was due (the last step plus the interval) to its routes written. */
  seconds: number;
  /**
   * From when it was due to the start of the reconcile that took it: the timer, the turn in the work
   * queue, and an earlier reconcile that ended waiting for check results.
   */
  waitingSeconds: number;
  /** From that reconcile's start to its decision: the checks it waited for, reading the caches, deciding. */
  decidingSeconds: number;
  /** From the decision to the routes written: the status write, then the route. */
  writingSeconds: number;
}

/**
 * The parts of a step's delay from four instants in ms: due, the taking reconcile's start, its decision,
 * routes written. A reconcile that started before the step was due (it waited for checks that were
 * already due) counts no waiting.
 */
export function stepDelay(
  dueAtMs: number,
  startedAtMs: number,
  decidedAtMs: number,
  writtenAtMs: number,
): StepDelay {
  const seconds = (from: number, to: number) => Math.max(0, to - from) / 1000;
  const start = Math.max(dueAtMs, startedAtMs);
  const decided = Math.max(start, decidedAtMs);
  return {
    seconds: seconds(dueAtMs, writtenAtMs),
    waitingSeconds: seconds(dueAtMs, start),
    decidingSeconds: seconds(start, decided),
    writingSeconds: seconds(decided, writtenAtMs),
  };
}
