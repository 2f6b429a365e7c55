/**
 * A deduplicating keyed work queue with delayed adds, one timer for all keys. A key is never processed by
 * two workers at once; a key added while it is processed runs again once afterwards.
 */
export class WorkQueue {
  private readonly ready: string[] = [];
  private readonly queued = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly delayed = new Map<string, number>();
  private readonly delayedReasons = new Map<string, string>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  /** Keys added by addSoon, added together when the coalescing window ends. */
  private readonly soon = new Set<string>();
  private soonTimer: NodeJS.Timeout | undefined;
  private readonly coalesceMs: number;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Infinity;
  private closed = false;
  private readonly clock: () => number;
  /** Why each waiting key was added (the first reason since it last ran), for the reconcile metrics. */
  private readonly reasons = new Map<string, string>();
  /** When each waiting key was queued, for how long it waited (takeWaitMs). */
  private readonly queuedAt = new Map<string, number>();

  constructor(clock: () => number = Date.now, coalesceMs = 0) {
    this.clock = clock;
    this.coalesceMs = coalesceMs;
  }

  /**
   * Adds the key at the end of the current coalescing window: the watch events one change brings (a
   * Canary's status, its Ingress, its Deployment's rollout) make one reconcile, not one each.
   */
  addSoon(key: string, reason = 'event'): void {
    if (this.closed) return;
    this.noteReason(key, reason);
    if (this.coalesceMs <= 0) return this.add(key);
    this.soon.add(key);
    this.soonTimer ??= setTimeout(() => {
      this.soonTimer = undefined;
      const keys = [...this.soon];
      this.soon.clear();
      for (const k of keys) this.add(k);
    }, this.coalesceMs);
  }

  get depth(): number {
    return this.ready.length;
  }

  get delayedCount(): number {
    return this.delayed.size;
  }

  add(key: string, reason?: string): void {
    if (reason) this.noteReason(key, reason);
    this.enqueue(key, false);
  }

  /** Adds the key ahead of every key waiting (moving it there if it waits already). */
  addFirst(key: string, reason?: string): void {
    if (reason) this.noteReason(key, reason);
    this.enqueue(key, true);
  }

  private noteReason(key: string, reason: string): void {
    if (!this.closed && !this.reasons.has(key)) this.reasons.set(key, reason);
  }

  /** Why the key handed out by get() was queued ('timer' for a delayed add, 'other' when none was given). */
  takeReason(key: string): string {
    const reason = this.reasons.get(key) ?? 'other';
    this.reasons.delete(key);
    return reason;
  }

  /** How long the key handed out by get() waited in the queue, in ms (0 when it was handed out at once). */
  takeWaitMs(key: string): number {
    const at = this.queuedAt.get(key);
    this.queuedAt.delete(key);
    return at === undefined ? 0 : Math.max(0, this.clock() - at);
  }

  private enqueue(key: string, first: boolean): void {
    if (this.closed) return;
    this.delayed.delete(key);
    this.delayedReasons.delete(key);
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) {
      if (first) {
        this.ready.splice(this.ready.indexOf(key), 1);
        this.ready.unshift(key);
      }
      return;
    }
    this.queued.add(key);
    this.queuedAt.set(key, this.clock());
    const waiter = this.waiters.shift();
    if (waiter) {
      this.queued.delete(key);
      this.active.add(key);
      waiter(key);
    } else if (first) this.ready.unshift(key);
    else this.ready.push(key);
  }

  /** Adds the key after `ms`; an earlier pending add of the same key wins. */
  addAfter(key: string, ms: number, reason = 'timer'): void {
    if (this.closed) return;
    if (ms <= 0) return this.add(key, reason);
    const due = this.clock() + ms;
    const prev = this.delayed.get(key);
    if (prev !== undefined && prev <= due) return;
    this.delayed.set(key, due);
    this.delayedReasons.set(key, reason);
    // Only a due time before the armed timer's moves it (a full scan per add is quadratic in the keys).
    if (due < this.timerDue) this.arm();
  }

  private arm(): void {
    let next = Infinity;
    for (const due of this.delayed.values()) if (due < next) next = due;
    if (next === Infinity || next >= this.timerDue) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = next;
    this.timer = setTimeout(() => this.fire(), Math.max(0, next - this.clock()));
  }

  private fire(): void {
    this.timer = undefined;
    this.timerDue = Infinity;
    const now = this.clock();
    for (const [key, due] of [...this.delayed]) {
      if (due <= now) {
        this.delayed.delete(key);
        this.add(key, this.delayedReasons.get(key) ?? 'timer');
        this.delayedReasons.delete(key);
      }
    }
    this.arm();
  }

  /** The next key to work on; undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const key = this.ready.shift();
    if (key !== undefined) {
      this.queued.delete(key);
      this.active.add(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Keys handed out by get() and not yet done(). */
  get activeKeys(): ReadonlySet<string> {
    return this.active;
  }

  done(key: string): void {
    this.active.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  shutdown(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.soonTimer) clearTimeout(this.soonTimer);
    this.soon.clear();
    this.reasons.clear();
    this.queuedAt.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}
