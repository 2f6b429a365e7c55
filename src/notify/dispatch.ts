import { NotifyError, redact } from './errors.ts';
import type { Alert, AlertSeverity, Notifier } from './notifier.ts';

/** One destination with its severity threshold ('' or undefined: everything). */
export interface AlertTarget {
  notifier: Notifier;
  minSeverity?: AlertSeverity | '';
  /** Names the destination in dispatcher errors (e.g. the AlertProvider's namespace/name). */
  name?: string;
}

const SEVERITY_RANK: Record<AlertSeverity, number> = { info: 0, warn: 1, error: 2 };

/**
 * Whether a target with threshold `min` takes an alert of `severity`: 'warn' takes warn and error,
 * 'error' only error, 'info' or '' everything (Flagger's alert severity semantics).
 */
export function severityAllows(min: AlertSeverity | '' | undefined, severity: AlertSeverity): boolean {
  if (!min) return true;
  return (SEVERITY_RANK[severity] ?? SEVERITY_RANK.error) >= (SEVERITY_RANK[min] ?? 0);
}

export function targetsFor(targets: readonly AlertTarget[], alert: Alert): AlertTarget[] {
  return targets.filter((t) => severityAllows(t.minSeverity, alert.severity));
}

export interface AlertDispatcherOptions {
  /** Default destinations for {@link AlertDispatcher.send}. */
  targets?: readonly AlertTarget[];
  /** Called once per failed or dropped delivery; errors are already redacted. Must not throw. */
  onError?: (err: NotifyError, alert: Alert) => void;
  /** Upper bound for one delivery, whatever the notifier does with its signal. Default 30s. */
  timeoutMs?: number;
  /** Deliveries in flight at once; beyond it alerts are dropped and counted. Default 64. */
  maxInFlight?: number;
}

export interface DispatchStats {
  inFlight: number;
  delivered: number;
  failed: number;
  dropped: number;
}

export const DEFAULT_DISPATCH_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_IN_FLIGHT = 64;

/** How long a notifier gets to report its own (more specific) error after the deadline. */
const ABORT_GRACE_MS = 100;

function describeTarget(alert: Alert, target: AlertTarget): string {
  return `alert for ${alert.canary}.${alert.namespace}${target.name ? ` to ${target.name}` : ''}`;
}

/**
 * Settles with `work`, or rejects with a timeout NotifyError shortly after `signal` fires, so a
 * notifier that ignores its signal cannot hold a slot forever.
 */
function settleBefore(work: Promise<void>, signal: AbortSignal, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      const timedOut = signal.reason?.name === 'TimeoutError';
      const err = new NotifyError(
        timedOut ? 'ERR_TIMEOUT' : 'ERR_ABORTED',
        `${what} not delivered: ${timedOut ? 'timed out' : 'aborted'}`,
      );
      timer = setTimeout(() => reject(err), ABORT_GRACE_MS);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
      clearTimeout(timer);
    });
  });
}

function asNotifyError(err: unknown, what: string): NotifyError {
  if (err instanceof NotifyError) return err;
  const name = err instanceof Error ? err.name : '';
  const text = redact(err instanceof Error ? err.message : String(err));
  const code =
    name === 'TimeoutError' ? 'ERR_TIMEOUT' : name === 'AbortError' ? 'ERR_ABORTED' : 'ERR_UNKNOWN';
  return new NotifyError(code, `${what} failed: ${text}`);
}

/**
 * Fans alerts out to notifiers in the background. `send` returns at once and never throws: a
 * slow or failing sink cannot stall the reconcile loop. Each delivery is bounded by a timeout,
 * the number in flight is bounded (extra alerts are dropped and counted), and failures go to
 * `onError`.
 */
export class AlertDispatcher {
  readonly #targets: readonly AlertTarget[];
  readonly #onError: (err: NotifyError, alert: Alert) => void;
  readonly #timeoutMs: number;
  readonly #maxInFlight: number;
  readonly #pending = new Set<Promise<boolean>>();
  #delivered = 0;
  #failed = 0;
  #dropped = 0;

  constructor(options: AlertDispatcherOptions = {}) {
    this.#targets = options.targets ?? [];
    this.#onError = options.onError ?? (() => {});
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_DISPATCH_TIMEOUT_MS;
    this.#maxInFlight = Math.max(1, options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
  }

  /**
   * Queues `alert` for every target (default: the constructor's) whose threshold it meets. The
   * returned promise settles (never rejects) once those deliveries ended, true when every target got
   * it; callers that must know an alert went out (a recorded outcome) await it, the others ignore it.
   */
  send(alert: Alert, targets: readonly AlertTarget[] = this.#targets): Promise<boolean> {
    const started: Promise<boolean>[] = [];
    let dropped = false;
    try {
      for (const target of targetsFor(targets, alert)) {
        if (this.#pending.size >= this.#maxInFlight) {
          this.#dropped++;
          dropped = true;
          const err = new NotifyError(
            'ERR_DROPPED',
            `${describeTarget(alert, target)} dropped: ${this.#maxInFlight} deliveries already in flight`,
          );
          queueMicrotask(() => this.#report(err, alert));
          continue;
        }
        const delivery = this.#deliver(target, alert);
        this.#pending.add(delivery);
        started.push(delivery);
        void delivery.finally(() => this.#pending.delete(delivery));
      }
    } catch (err) {
      this.#failed++;
      this.#report(asNotifyError(err, `alert for ${alert.canary}.${alert.namespace}`), alert);
      return Promise.resolve(false);
    }
    return Promise.all(started).then((delivered) => !dropped && delivered.every(Boolean));
  }

  async #deliver(target: AlertTarget, alert: Alert): Promise<boolean> {
    const signal = AbortSignal.timeout(this.#timeoutMs);
    const what = describeTarget(alert, target);
    try {
      // Start the post on a later tick so even a notifier that blocks before its first await
      // does not run inside the caller's send().
      await settleBefore(
        Promise.resolve().then(() => target.notifier.post(alert, signal)),
        signal,
        what,
      );
      this.#delivered++;
      return true;
    } catch (err) {
      this.#failed++;
      this.#report(asNotifyError(err, what), alert);
      return false;
    }
  }

  #report(err: NotifyError, alert: Alert): void {
    try {
      this.#onError(err, alert);
    } catch {
      // onError must not break delivery bookkeeping.
    }
  }

  stats(): DispatchStats {
    return {
      inFlight: this.#pending.size,
      delivered: this.#delivered,
      failed: this.#failed,
      dropped: this.#dropped,
    };
  }

  /** Resolves once nothing is in flight (including deliveries started while waiting). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
    // Let queued drop reports run before the caller looks at them.
    await new Promise<void>((resolve) => queueMicrotask(resolve));
  }
}
