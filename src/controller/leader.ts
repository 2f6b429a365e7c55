import { describeError, orAbsent, statusCode, type Kube } from '../kube/client.ts';
import { FIELD_MANAGER } from '../kube/field-managers.ts';
import type { V1Lease } from '../kube/types.ts';
import { microTime } from '../kube/time.ts';
import { leaseDecision, leaseSpecFor } from './lease.ts';
import type { Logger } from '../observability/logger.ts';

export { leaseDecision, leaseSpecFor, type LeaseDecision } from './lease.ts';

/**
 * Whether this process holds the Lease right now, by a monotonic clock (performance.now(), which keeps
 * advancing while the process is paused, unlike its timers): the last successful renewal began less
 * than renewDeadline ago. A standby takes the Lease over only leaseDuration (> renewDeadline) after it
 * last saw it change, and the change it saw is no older than that renewal's start, so while this holds
 * no other process can have acquired it — whatever the timers of a process woken from SIGSTOP say.
 */
export class LeaseValidity {
  private readonly renewDeadlineMs: number;
  private readonly monotonic: () => number;
  /** Monotonic time at which the last successful renewal began; undefined when not leading. */
  private renewedAt: number | undefined;

  constructor(renewDeadlineMs: number, monotonic: () => number = () => performance.now()) {
    this.renewDeadlineMs = renewDeadlineMs;
    this.monotonic = monotonic;
  }

  /** A renewal (or acquisition) that began at monotonic time `startedAt` succeeded. */
  renewed(startedAt: number): void {
    this.renewedAt = Math.max(startedAt, this.renewedAt ?? -Infinity);
  }

  lost(): void {
    this.renewedAt = undefined;
  }

  /** Why this process may not act as leader now, or undefined while it holds the Lease. */
  problem(): string | undefined {
    if (this.renewedAt === undefined) return 'not the leader';
    const age = this.monotonic() - this.renewedAt;
    if (age < this.renewDeadlineMs) return undefined;
    return `the last lease renewal began ${Math.round(age)} ms ago, not within the renew deadline of ${this.renewDeadlineMs} ms`;
  }

  holds(): boolean {
    return this.problem() === undefined;
  }
}

export interface LeaderElectorOptions {
  kube: Kube;
  namespace: string;
  name: string;
  /** Unique per process, e.g. the pod name plus a random suffix. */
  identity: string;
  leaseDurationMs?: number;
  /** A leader that could not renew for this long stops leading. Less than leaseDurationMs. */
  renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew. Less than renewDeadlineMs. */
  retryPeriodMs?: number;
  /** Wall clock (epoch ms) for the Lease's times. */
  clock?: () => number;
  /** Monotonic clock (ms) for durations: renew deadline, lease validity. performance.now() by default. */
  monotonic?: () => number;
  /** Called once this process holds the Lease. */
  onStartedLeading: () => void;
  /**
   * Called the moment this process must stop acting as leader: renewal failed past the deadline, another
   * holder was seen, or stop(). May be followed by onStartedLeading again when the Lease is won back.
   */
  onStoppedLeading: () => void;
  log?: Logger;
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, in the manner of client-go's leaderelection:
 * every retry period read the Lease, then create, take over or renew it with the resourceVersion read
 * (a 409 means another candidate won the race).
 */
export class LeaderElector {
  private readonly opts: Required<Omit<LeaderElectorOptions, 'log'>> & { log?: Logger };
  private running = false;
  private leading = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private sleepTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private observed: { version: string; at: number } | undefined;
  private readonly validity: LeaseValidity;

  constructor(options: LeaderElectorOptions) {
    this.opts = {
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      clock: Date.now,
      monotonic: () => performance.now(),
      // Options given as undefined keep their defaults.
      ...(Object.fromEntries(
        Object.entries(options).filter(([, value]) => value !== undefined),
      ) as LeaderElectorOptions),
    };
    const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = this.opts;
    if (!(leaseDurationMs > renewDeadlineMs && renewDeadlineMs > retryPeriodMs && retryPeriodMs > 0)) {
      throw new Error(
        `leader election needs leaseDuration > renewDeadline > retryPeriod > 0 (got ${leaseDurationMs}, ${renewDeadlineMs}, ${retryPeriodMs} ms)`,
      );
    }
    this.validity = new LeaseValidity(renewDeadlineMs, this.opts.monotonic);
  }

  /** True between onStartedLeading and onStoppedLeading (the timers' view; see holdsLease). */
  get isLeader(): boolean {
    return this.leading;
  }

  /**
   * True only while leading and within renewDeadline of the start of the last successful renewal, by
   * the monotonic clock: false at once in a process that wakes from a pause longer than that, before
   * its timers have run. Check it right before every write.
   */
  holdsLease(): boolean {
    return this.leading && this.validity.holds();
  }

  /** Why this process may not write now (see holdsLease), or undefined when it may. */
  leaseProblem(): string | undefined {
    return this.leading ? this.validity.problem() : 'not the leader';
  }

  get identity(): string {
    return this.opts.identity;
  }

  /** Starts competing for the Lease. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops competing; when leading, stops leading first and then releases the Lease for a fast handover. */
  async stop(): Promise<void> {
    const wasRunning = this.running;
    this.halt();
    this.loseLeadership('stopping');
    await this.loop;
    if (wasRunning) await this.release();
  }

  /** Stops every timer and request loop without callbacks or release, as if the process had died. */
  crash(): void {
    this.halt();
    this.leading = false;
    this.validity.lost();
  }

  private halt(): void {
    this.running = false;
    clearTimeout(this.sleepTimer);
    clearTimeout(this.deadlineTimer);
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      await this.attempt();
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.sleepTimer = setTimeout(resolve, this.opts.retryPeriodMs);
      });
      this.wake = undefined;
    }
  }

  /** One read-decide-write round; failures are logged and retried next period. */
  private async attempt(): Promise<void> {
    const { kube, namespace, name, identity, clock, monotonic, leaseDurationMs, renewDeadlineMs } = this.opts;
    const now = clock();
    const started = monotonic();
    try {
      const lease = await this.bounded(this.read());
      if (!this.running) return;
      const version = lease?.metadata?.resourceVersion ?? '';
      if (this.observed?.version !== version) this.observed = { version, at: clock() };
      const decision = leaseDecision(lease, identity, now, leaseDurationMs, this.observed.at);
      if (decision.kind === 'wait') {
        this.loseLeadership(`lease held by ${decision.holder}`);
        return;
      }
      const spec = leaseSpecFor(decision, lease, identity, now, leaseDurationMs);
      const written = await this.bounded(
        lease
          ? kube.coordination.replaceNamespacedLease({
              fieldManager: FIELD_MANAGER,
              name,
              namespace,
              body: { ...lease, spec: { ...lease.spec, ...spec } },
            })
          : kube.coordination.createNamespacedLease({
              namespace,
              fieldManager: FIELD_MANAGER,
              body: {
                apiVersion: 'coordination.k8s.io/v1',
                kind: 'Lease',
                metadata: { name, namespace },
                spec,
              },
            }),
      );
      if (!this.running) return;
      if (monotonic() - started >= renewDeadlineMs) {
        this.opts.log?.warn({ lease: name }, 'lease write took longer than the renew deadline');
        return;
      }
      this.observed = { version: written.metadata?.resourceVersion ?? '', at: now };
      this.validity.renewed(started);
      this.armDeadline(started);
      if (!this.leading) {
        this.leading = true;
        this.opts.log?.info(
          {
            lease: `${namespace}/${name}`,
            identity,
            previousHolder: 'previousHolder' in decision ? decision.previousHolder : undefined,
          },
          'became leader',
        );
        this.notify('onStartedLeading');
      }
    } catch (err) {
      const code = statusCode(err);
      const msg = code === 409 ? 'lease changed by another candidate' : 'lease attempt failed';
      this.opts.log?.[this.leading && code !== 409 ? 'warn' : 'debug'](
        { lease: `${namespace}/${name}`, err: describeError(err) },
        msg,
      );
    }
  }

  private read(): Promise<V1Lease | undefined> {
    const { kube, namespace, name } = this.opts;
    return orAbsent(kube.coordination.readNamespacedLease({ name, namespace }));
  }

  /** A request that takes longer than the renew deadline counts as failed (it may still land later). */
  private bounded<T>(request: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.opts.renewDeadlineMs} ms`)),
        this.opts.renewDeadlineMs,
      );
    });
    request.catch(() => undefined);
    return Promise.race([request, timeout]).finally(() => clearTimeout(timer));
  }

  /**
   * Leadership ends renewDeadline after the start of the last successful renewal (monotonic time)
   * unless a later one lands first. After a pause the timer may run late; holdsLease() does not.
   */
  private armDeadline(renewedAt: number): void {
    clearTimeout(this.deadlineTimer);
    const left = renewedAt + this.opts.renewDeadlineMs - this.opts.monotonic();
    this.deadlineTimer = setTimeout(() => this.loseLeadership('could not renew within the deadline'), left);
  }

  private loseLeadership(reason: string): void {
    clearTimeout(this.deadlineTimer);
    this.validity.lost();
    if (!this.leading) return;
    this.leading = false;
    this.opts.log?.warn({ lease: `${this.opts.namespace}/${this.opts.name}`, reason }, 'stopped leading');
    this.notify('onStoppedLeading');
  }

  /** A throwing callback is logged; it never breaks the renew loop. */
  private notify(callback: 'onStartedLeading' | 'onStoppedLeading'): void {
    try {
      this.opts[callback]();
    } catch (err) {
      this.opts.log?.error({ err }, `${callback} failed`);
    }
  }

  /** Clears holderIdentity when the Lease is still ours, so a standby takes it at its next attempt. */
  private async release(): Promise<void> {
    const { kube, namespace, name, identity, clock } = this.opts;
    try {
      const lease = await this.bounded(this.read());
      if (!lease || lease.spec?.holderIdentity !== identity) return;
      const now = clock();
      await this.bounded(
        kube.coordination.replaceNamespacedLease({
          fieldManager: FIELD_MANAGER,
          name,
          namespace,
          body: {
            ...lease,
            spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(now) },
          },
        }),
      );
      this.observed = undefined;
      this.opts.log?.info({ lease: `${namespace}/${name}`, identity }, 'released lease');
    } catch (err) {
      this.opts.log?.warn(
        { lease: `${namespace}/${name}`, err: describeError(err) },
        'could not release lease',
      );
    }
  }
}
