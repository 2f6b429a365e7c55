import type { Canary } from '../api/types.ts';
import type { Kube } from '../kube/client.ts';
import { describeError } from '../kube/client.ts';
import type { WatchCache } from '../kube/informer.ts';
import { backoffDelay, isUnavailable } from '../kube/retry.ts';
import type { KubernetesObject } from '../kube/types.ts';
import type { HTTPRoute } from '../router/httproute-types.ts';
import type { CheckStage } from '../engine/model.ts';
import type { DefaultAlertProvider } from './alerts.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Caches } from './caches.ts';
import type { OptionalWatch } from './optional-watch.ts';
import type { HeldObjects } from './held-objects.ts';
import { startCaches } from './watch-caches.ts';
import { WorkQueue } from './queue.ts';
import { EchoGate } from './echoes.ts';
import { EventRouting, keyOf } from './event-routing.ts';
import { CanaryIndex } from './canary-index.ts';
import type { ResourceStatus } from './resource-status.ts';
import { wireReconciler } from './reconciler-wiring.ts';
import type { EventSink } from './event-sink.ts';
import { ConflictError, Reconciler, type ReconcilerOptions } from './reconciler.ts';

export interface ManagerOptions extends Omit<ReconcilerOptions, 'caches'> {
  kube: Kube;
  /** Watch one namespace only; all when undefined. */
  namespace?: string;
  workers?: number;
  /** Prometheus address for the built-in nginx metrics. */
  metricsServer?: string;
  clusterName?: string;
  defaultAlertProvider?: DefaultAlertProvider;
  /** Told after every reconcile; `trigger` says why it ran (a watched kind, timer, checks, retry, resync). */
  onReconcile?: (seconds: number, outcome: 'ok' | 'error', trigger: string) => void;
  /** Told how long each Canary key waited in the work queue before a worker took it, and why it was queued. */
  onQueueWait?: (seconds: number, trigger: string) => void;
  /** Told how long each check stage took, from its start to its results in. */
  onCheckStage?: (stage: CheckStage, seconds: number) => void;
  /**
   * With sharding: whether this replica may reconcile the Canary `namespace/name` now. Keys it refuses are
   * skipped when their turn comes (another replica reconciles them).
   */
  owns?: (key: string) => boolean;
  /** How often a missing optional resource (Gateway API's HTTPRoute) is looked for again; 30 s. */
  optionalResourceRecheckMs?: number;
  /** Told of every Event of an ordinary decision that was never written (see EventSink). */
  onEventDropped?: () => void;
}

/** A ConfigMap or Secret no reconcile asked for this long is no longer held. */
const HELD_IDLE_MS = 10 * 60_000;
/**
 * Watch events of one change come in bursts (a reconcile's own status and Ingress writes, a rollout's
 * status updates): those within this window make one reconcile. Timers and checks are not delayed.
 */
const EVENT_COALESCE_MS = 100;
export const DEFAULT_WORKERS = 16;

/**
 * The delay before retrying a Canary whose reconcile failed `failures` times in a row: 200 ms doubling,
 * drawn from [d/2, d] so that keys that failed together spread out.
 *
 * - While the API server is unavailable (no answer, 429, 5xx) it stops growing at 5 s: a Canary resumes at
 *   most 5 s after the API server is back even when no watch noticed the outage (say the writes failed but
 *   the watches held). Such a retry fails at once without an answer, or is one cheap request the server's
 *   priority and fairness may turn away; the usual way back is quicker still: the first watch cache to
 *   reconnect after an outage reconciles every Canary at once (`resumeAll`).
 * - Any other error (a conflict, retried after 100-200 ms; a bad object; RBAC) grows to 30 s.
 */
export function reconcileRetryDelay(failures: number, err: unknown, random?: () => number): number {
  return backoffDelay(failures, 200, isUnavailable(err) ? 5_000 : 30_000, random);
}

/** Watch caches → one keyed work queue → a few workers running the reconciler. */
export class Manager {
  readonly queue: WorkQueue;
  private readonly o: ManagerOptions;
  private watches: WatchCache<KubernetesObject>[] = [];
  private caches!: Caches;
  private reconciler!: Reconciler;
  private resourceStatus: ResourceStatus | undefined;
  private httpRouteWatch: OptionalWatch<HTTPRoute> | undefined;
  private held: HeldObjects | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private readonly failures = new Map<string, number>();
  private readonly index = new CanaryIndex();
  private readonly echoes: EchoGate;
  private readonly routing: EventRouting;
  private running = false;
  /** With sharding: the Canaries owned at the last requeueAll. */
  private ownedBefore = new Set<string>();
  private stopping = false;
  private readonly stopRequested = Promise.withResolvers<void>();
  private workers: Promise<void>[] = [];
  private events: EventSink | undefined;
  private get workerCount(): number {
    return this.o.workers ?? DEFAULT_WORKERS;
  }
  /** Aborted by stop(): reconciles in flight end, with their checks, before their next write. */
  private readonly aborter = new AbortController();

  constructor(options: ManagerOptions) {
    this.o = options;
    this.queue = new WorkQueue(options.clock, EVENT_COALESCE_MS);
    this.echoes = new EchoGate(this.queue);
    this.routing = new EventRouting({
      queue: this.queue,
      echoes: this.echoes,
      index: this.index,
      ownWrites: options.writer.ownWrites,
      caches: () => this.caches,
    });
  }

  async start(): Promise<void> {
    const { kube, log } = this.o;
    const ns = this.o.namespace;
    const cacheSet = await startCaches({
      kube,
      log,
      namespace: ns,
      clock: this.o.clock,
      optionalResourceRecheckMs: this.o.optionalResourceRecheckMs,
      running: () => this.running,
      onRecovered: () => this.resumeAll(),
      onRelated: (o, kind) => this.routing.related(o, kind),
      onCanary: (o) => this.routing.canaryChanged(o),
      onResource: (plural, o) => void this.resourceStatus?.check(plural, o),
      onHttpRoutesLater: (cache) => {
        this.caches.httpRoutes = cache;
        this.resumeAll();
      },
    });
    this.watches = cacheSet.watches;
    this.httpRouteWatch = cacheSet.httpRouteWatch;
    const held = cacheSet.held;
    this.held = held;
    this.caches = cacheSet.caches;
    // The reconciler and its writer stop when the leadership term given ends (options.signal) or when this
    // manager stops; each gets a signal of its own for that.
    const termSignal = () =>
      this.o.signal ? AbortSignal.any([this.o.signal, this.aborter.signal]) : this.aborter.signal;
    const wiring = wireReconciler(this.o, {
      caches: this.caches,
      held,
      writer: this.o.writer.withSignal(termSignal()),
      signal: termSignal(),
      stopping: () => this.stopping,
      backlog: () => this.queue.depth > 0,
      // A Canary whose checks are in has a step half done: it goes ahead of those yet to start one, so
      // a backlog delays starting steps rather than finishing them.
      wake: (key) => this.running && this.queue.addFirst(key, 'checks'),
      workerCount: this.workerCount,
    });
    this.reconciler = wiring.reconciler;
    this.resourceStatus = wiring.resourceStatus;
    this.events = wiring.events;
    // Until every cache has listed once, reconciles would act on missing objects; stop() ends the wait.
    await Promise.race([
      Promise.all([...this.watches.map((w) => w.synced), ...held.streams.map((s) => s.started)]),
      this.stopRequested.promise,
    ]);
    if (this.stopping) throw new Error('controller stopped before its watch caches synced');
    this.running = true;
    // From here on every Canary event updates the index (events before are in the cache's list).
    this.index.reset(this.caches.canaries.list() as Canary[]);
    this.caches.canaryIndex = this.index;
    this.requeueAll();
    // Templates and providers listed before this point get their verdict now; later changes on arrival.
    for (const t of this.caches.metricTemplates.list()) void this.resourceStatus?.check('metrictemplates', t);
    for (const p of this.caches.alertProviders.list()) void this.resourceStatus?.check('alertproviders', p);
    // Configs no Canary has asked for in a while (its Canary deleted, its target changed) are let go.
    this.pruneTimer = setInterval(() => {
      held.configMaps.prune(HELD_IDLE_MS);
      held.secrets.prune(HELD_IDLE_MS);
    }, HELD_IDLE_MS / 10);
    this.pruneTimer.unref();
    const n = this.workerCount;
    for (let i = 0; i < n; i++) this.workers.push(this.work());
    log.info({ workers: n, namespace: ns ?? '(all)' }, 'controller started');
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const trigger = this.queue.takeReason(key);
      this.o.onQueueWait?.(this.queue.takeWaitMs(key) / 1000, trigger);
      if (this.o.owns && !this.o.owns(key)) {
        this.failures.delete(key);
        this.queue.done(key);
        continue;
      }
      const [ns, name] = key.split('/');
      const started = performance.now();
      try {
        const result = await this.reconciler.reconcile(ns, name);
        this.failures.delete(key);
        this.o.onReconcile?.((performance.now() - started) / 1000, 'ok', trigger);
        this.echoes.ended(key, result.requeueAfterMs, false);
        if (result.requeueAfterMs !== undefined && this.running)
          this.queue.addAfter(key, Math.max(0, result.requeueAfterMs - (result.sinceDecisionMs ?? 0)));
      } catch (err) {
        this.echoes.ended(key, undefined, true);
        const n = (this.failures.get(key) ?? 0) + 1;
        this.failures.set(key, n);
        const delay = reconcileRetryDelay(n, err);
        this.o.onReconcile?.((performance.now() - started) / 1000, 'error', trigger);
        const level = err instanceof ConflictError ? 'debug' : 'warn';
        this.o.log[level](
          { canary: key, err: describeError(err), retryInMs: delay },
          'reconcile failed; retrying',
        );
        if (this.running) this.queue.addAfter(key, delay, 'retry');
      } finally {
        this.echoes.release(key);
        this.queue.done(key);
      }
    }
  }

  /**
   * A watch cache reconnected after failures, so the API server answers again: every Canary is reconciled
   * now, and those that failed meanwhile start their backoff over, instead of each waiting out the delay its
   * failures during the outage built up. Keys already queued or running are not duplicated (the queue
   * dedupes), so the several caches that reconnect together cost little more than one pass.
   */
  private resumeAll(): void {
    if (!this.running) return;
    // Several caches reconnect together: one line for the pass that finds Canaries waiting on failures.
    this.o.log[this.failures.size > 0 ? 'info' : 'debug'](
      { failing: this.failures.size },
      'API server answers again; reconciling every Canary',
    );
    this.failures.clear();
    this.requeueAll();
  }

  /**
   * Queues every Canary again, e.g. when the Canaries this replica may reconcile changed. With sharding,
   * those it has just taken over (a replica died or left) go ahead of the rest: their releases have been
   * waiting the longest.
   */
  requeueAll(): void {
    if (!this.running) return;
    const keys = this.caches.canaries.list().map((c) => keyOf(c.metadata?.namespace, c.metadata?.name));
    const owns = this.o.owns;
    if (!owns) return void keys.forEach((key) => this.queue.add(key, 'resync'));
    const owned = new Set(keys.filter((key) => owns(key)));
    const taken = [...owned].filter((key) => !this.ownedBefore.has(key));
    for (const key of owned) if (this.ownedBefore.has(key)) this.queue.add(key, 'resync');
    for (const key of taken.reverse()) this.queue.addFirst(key, 'takeover');
    this.ownedBefore = owned;
  }

  /** Resolves once no reconcile is in flight for a key that `keeps` refuses. */
  async drain(keeps: (key: string) => boolean): Promise<void> {
    while ([...this.queue.activeKeys].some((key) => !keeps(key))) await sleep(20);
  }

  /** How many Canaries of the cache `keeps` accepts (with sharding: those this replica reconciles). */
  countCanaries(keeps: (key: string) => boolean): number {
    if (!this.caches) return 0;
    return this.caches.canaries.list().filter((c) => keeps(keyOf(c.metadata?.namespace, c.metadata?.name)))
      .length;
  }

  get cacheView(): Caches {
    return this.caches;
  }

  /** True once every watch cache has completed a successful LIST (false before start()). */
  synced(): boolean {
    return (
      this.watches.length > 0 &&
      this.watches.every((w) => w.isSynced()) &&
      (this.held?.streams ?? []).every((s) => s.isStarted())
    );
  }

  /** Events of ordinary decisions not yet written. */
  get eventsWaiting(): number {
    return this.events?.size ?? 0;
  }

  /**
   * Stops the workers and the caches; a start() still waiting for its caches then fails. Events still
   * waiting in the sink are dropped (counted), not sent to a writer that is being aborted.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    const dropped = this.events?.stop() ?? 0;
    if (dropped > 0)
      this.o.log.info({ events: dropped }, 'events dropped: the controller stopped before writing them');
    this.aborter.abort(new Error('the controller is stopping'));
    this.stopRequested.resolve();
    this.running = false;
    this.queue.shutdown();
    this.httpRouteWatch?.stop();
    await Promise.all(this.workers);
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    await Promise.all([
      ...this.watches.map((w) => w.stop()),
      ...(this.held?.streams ?? []).map((s) => s.stop()),
    ]);
  }
}
