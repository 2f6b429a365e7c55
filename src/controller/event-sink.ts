import type { Logger } from 'pino';
import { describeError } from '../kube/client.ts';
import type { EventInput } from '../kube/event-body.ts';
import type { KubeWriter } from '../kube/writer.ts';

/**
 * Events of ordinary decisions written at once, and held at most: a burst of 1,000 releases stepping
 * together leaves a few thousand behind for a minute or two, at ~0.5 KiB each.
 */
const EVENT_WRITES_IN_FLIGHT = 2;
const EVENTS_HELD = 10_000;
/**
 * While Canaries wait for a worker, Events wait too, at most this long: a burst of 1,000 releases on a
 * busy API server lasts two to three minutes, and an Event written during it slows the writes that move
 * traffic. Each Event keeps the time of its decision, so a late one still tells when it happened.
 */
const EVENT_HOLD_MAX_MS = 300_000;
/** How often held Events look again whether the backlog is gone. */
const EVENT_HOLD_RECHECK_MS = 100;

export interface EventSinkOptions {
  /** Writes one Event; a rejection is reported to `onFailed` and the Event is not tried again. */
  send: (event: EventInput) => Promise<void>;
  /** Events written at the same time. */
  inFlight: number;
  /** Events held at most; when full the oldest waiting one is dropped. */
  capacity: number;
  onFailed?: (event: EventInput, err: unknown) => void;
  onDropped?: (event: EventInput) => void;
  /**
   * While this says true, waiting Events are not started, unless they have waited `holdMaxMs` or the
   * buffer is over half full (its oldest then go, so holding never makes it drop an Event).
   */
  holdWhile?: () => boolean;
  /** How long an Event waits at most while held. */
  holdMaxMs?: number;
  /** How often held Events look again at `holdWhile`. */
  holdRecheckMs?: number;
  clock?: () => number;
}

interface Waiting {
  key: string;
  event: EventInput;
  /** When it was added, by `clock`. */
  at: number;
}

/**
 * The Events of ordinary decisions (a step, a release started), written off the reconcile: a worker does
 * not wait for them, and only `inFlight` of them reach the API server at once. In a burst of steps the
 * writes that move traffic are then not queued behind Events, which catch up once the burst is over;
 * with `holdWhile` none starts while it says so (Canaries wait for a worker), up to `holdMaxMs` each and
 * never past half the buffer.
 * Events of one Canary are written in the order given. Like every Kubernetes event recorder this is best
 * effort: a full buffer drops its oldest Event, a stopped sink drops what it holds. The Events of an
 * outcome (promotion, rollback) do not come here: they are recorded in status and delivered at least once.
 */
export class EventSink {
  private readonly options: EventSinkOptions;
  private waiting: Waiting[] = [];
  private readonly sending = new Set<string>();
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  /** flush() calls waiting for a key's write in flight to end. */
  private keyWaiters: [string, () => void][] = [];
  private recheck: NodeJS.Timeout | undefined;
  private readonly clock: () => number;

  constructor(options: EventSinkOptions) {
    if (options.inFlight < 1 || options.capacity < 1)
      throw new Error('EventSink: inFlight and capacity must be at least 1');
    this.options = options;
    this.clock = options.clock ?? Date.now;
  }

  /** Queues `event` of the Canary `key` (namespace/name). */
  add(key: string, event: EventInput): void {
    if (this.stopped) {
      this.options.onDropped?.(event);
      return;
    }
    if (this.waiting.length >= this.options.capacity) {
      const [oldest] = this.waiting.splice(0, 1);
      this.options.onDropped?.(oldest!.event);
    }
    this.waiting.push({ key, event, at: this.clock() });
    this.pump();
  }

  /**
   * Writes the Events of `key` that still wait, now and in order, past the in-flight limit, after the
   * one being written: what follows (an outcome's own Events, written by the caller) comes after them.
   */
  async flush(key: string): Promise<void> {
    const mine = this.waiting.filter((w) => w.key === key);
    if (mine.length === 0 && !this.sending.has(key)) return;
    this.waiting = this.waiting.filter((w) => w.key !== key);
    while (this.sending.has(key)) await new Promise<void>((resolve) => this.keyWaiters.push([key, resolve]));
    this.sending.add(key);
    try {
      for (const w of mine)
        await this.options.send(w.event).catch((err) => this.options.onFailed?.(w.event, err));
    } finally {
      this.done(key);
    }
  }

  /** Events waiting or being written. */
  get size(): number {
    return this.waiting.length + this.sending.size;
  }

  /** Resolves once nothing waits and nothing is being written. */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops what waits (reported to onDropped) and returns how many; Events being written finish. */
  stop(): number {
    this.stopped = true;
    if (this.recheck) clearTimeout(this.recheck);
    this.recheck = undefined;
    const dropped = this.waiting;
    this.waiting = [];
    for (const w of dropped) this.options.onDropped?.(w.event);
    this.settleIdle();
    return dropped.length;
  }

  private pump(): void {
    const held = this.options.holdWhile?.() ?? false;
    while (this.sending.size < this.options.inFlight) {
      const at = held ? this.nextOverdue() : this.nextFree(this.waiting.length);
      if (at < 0) break;
      const [next] = this.waiting.splice(at, 1);
      this.write(next!);
    }
    if (held && this.waiting.length > 0) this.recheckLater();
  }

  /** The first of the first `end` waiting Events whose Canary has none being written (keeps one Canary's order). */
  private nextFree(end: number): number {
    for (let at = 0; at < end; at++) if (!this.sending.has(this.waiting[at]!.key)) return at;
    return -1;
  }

  /**
   * Like nextFree, among the Events held `holdMaxMs` already and those past half the buffer, counted from
   * the oldest (the oldest come first in `waiting`).
   */
  private nextOverdue(): number {
    const oldest = this.clock() - (this.options.holdMaxMs ?? EVENT_HOLD_MAX_MS);
    let end = Math.max(0, this.waiting.length - Math.floor(this.options.capacity / 2));
    while (end < this.waiting.length && this.waiting[end]!.at <= oldest) end++;
    return this.nextFree(end);
  }

  private recheckLater(): void {
    if (this.recheck || this.stopped) return;
    this.recheck = setTimeout(() => {
      this.recheck = undefined;
      this.pump();
    }, this.options.holdRecheckMs ?? EVENT_HOLD_RECHECK_MS);
    this.recheck.unref();
  }

  private write({ key, event }: Waiting): void {
    this.sending.add(key);
    this.options
      .send(event)
      .catch((err: unknown) => this.options.onFailed?.(event, err))
      .finally(() => this.done(key));
  }

  private done(key: string): void {
    this.sending.delete(key);
    const woken = this.keyWaiters.filter(([k]) => k === key);
    this.keyWaiters = this.keyWaiters.filter(([k]) => k !== key);
    for (const [, resolve] of woken) resolve();
    this.pump();
    this.settleIdle();
  }

  private settleIdle(): void {
    if (this.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

export interface DecisionEventSinkInput {
  writer: KubeWriter;
  log: Logger;
  stopping: () => boolean;
  /** True while Canaries wait for a worker: their steps' writes go first, the Events after them. */
  backlog: () => boolean;
  clock?: () => number;
  onDropped?: () => void;
}

/** The controller's sink: Events written by `writer`, failures logged unless the controller is stopping. */
export function decisionEventSink(input: DecisionEventSinkInput): EventSink {
  const { writer, log, stopping, onDropped } = input;
  return new EventSink({
    send: (event) => writer.createEvent(event),
    inFlight: EVENT_WRITES_IN_FLIGHT,
    capacity: EVENTS_HELD,
    holdWhile: input.backlog,
    clock: input.clock,
    onFailed: (event, err) => {
      // Refused because the controller stops (its writer is aborted): not worth a warning per Event.
      if (!stopping())
        log.warn(
          { err: describeError(err), reason: event.reason, regarding: event.regarding.name },
          'recording an event failed',
        );
    },
    onDropped,
  });
}
