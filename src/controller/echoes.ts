/**
 * Watch events that show an object exactly as one of our own writes left it. The reconcile that wrote it
 * decided from the state before and planned its next look from the state after (its requeue), so when that
 * reconcile ended settled (asked to look again SETTLED_REQUEUE_MS or later) the echo is not reconciled;
 * otherwise, or while that reconcile still runs, it is (after it ends).
 */
import type { WorkQueue } from './queue.ts';

/** A reconcile that asks to look again this late or later has nothing left to do with its own echoes. */
export const SETTLED_REQUEUE_MS = 5000;

export class EchoGate {
  /** Canaries whose last reconcile ended settled. */
  private readonly settled = new Set<string>();
  /** Canaries that saw an echo of their own write while their reconcile ran. */
  private readonly whileRunning = new Set<string>();
  private readonly queue: WorkQueue;

  constructor(queue: WorkQueue) {
    this.queue = queue;
  }

  /** An echo of our own write to an object that concerns the Canary `key`. */
  echo(key: string, kind: string): void {
    if (this.queue.activeKeys.has(key)) this.whileRunning.add(key);
    else if (!this.settled.has(key)) this.queue.addSoon(key, `${kind} (own write)`);
  }

  /** A reconcile of `key` ended; `requeueAfterMs` undefined for one that failed. */
  ended(key: string, requeueAfterMs: number | undefined, failed: boolean): void {
    if (!failed && (requeueAfterMs ?? 0) >= SETTLED_REQUEUE_MS) this.settled.add(key);
    else this.settled.delete(key);
  }

  /** Before the queue releases `key`: an echo seen while it ran is reconciled unless the run ended settled. */
  release(key: string): void {
    if (this.whileRunning.delete(key) && !this.settled.has(key)) this.queue.add(key, 'own write');
  }
}
