import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Phase } from '../api/types.ts';
import type { StepDelay } from './step-delay.ts';

/** The number `kanaria_canary_status` reports for each phase (Flagger's encoding, extended). */
export const PHASE_CODES: Readonly<Record<Phase, number>> = {
  Initializing: 0,
  Initialized: 1,
  Progressing: 2,
  Succeeded: 3,
  Failed: 4,
  Waiting: 5,
  WaitingPromotion: 6,
  Promoting: 7,
  Finalising: 8,
  Terminating: 9,
  Terminated: 10,
};

export type ReleaseOutcome = 'succeeded' | 'failed';
export type ReconcileOutcome = 'ok' | 'error';

export interface OperatorMetricsOptions {
  /** Read at every scrape for `kanaria_workqueue_depth`; the gauge reports 0 without it. */
  queueDepth?: () => number;
  /** Read at every scrape for `kanaria_events_waiting`; the gauge reports 0 without it. */
  eventsWaiting?: () => number;
  /** With sharding: the live members and the Canaries this replica reconciles, read at every scrape. */
  shard?: { members: () => number; canaries: () => number };
  /** prom-client's process and Node.js runtime metrics on the same registry (default true). */
  processMetrics?: boolean;
}

const RELEASE_OUTCOMES: readonly ReleaseOutcome[] = ['succeeded', 'failed'];

/** The operator's Prometheus metrics, on a registry of its own (never prom-client's global one). */
export class OperatorMetrics {
  readonly registry: Registry;
  private readonly status: Gauge<'name' | 'namespace'>;
  private readonly weight: Gauge<'name' | 'namespace'>;
  private readonly failedChecks: Gauge<'name' | 'namespace'>;
  private readonly releaseDuration: Histogram<'name' | 'namespace' | 'outcome'>;
  private readonly releases: Counter<'outcome'>;
  private readonly reconcileDuration: Histogram<'outcome'>;
  private readonly reconciles: Counter<'trigger'>;
  private readonly reconcileBusy: Counter<'trigger'>;
  private readonly apiRequests: Counter<'verb'>;
  private readonly eventsDropped: Counter;
  private readonly queueWait: Histogram<'trigger'>;
  private readonly stepDelay: Histogram;
  private readonly stepWrite: Histogram;
  private readonly stepWait: Histogram;
  private readonly stepDecide: Histogram;
  private readonly checkStage: Histogram<'stage'>;
  private readonly leader: Gauge;

  constructor(options: OperatorMetricsOptions = {}) {
    const registry = new Registry();
    const registers = [registry];
    this.registry = registry;
    this.status = new Gauge({
      name: 'kanaria_canary_status',
      help: 'Phase of the canary: 0 Initializing, 1 Initialized, 2 Progressing, 3 Succeeded, 4 Failed, 5 Waiting, 6 WaitingPromotion, 7 Promoting, 8 Finalising, 9 Terminating, 10 Terminated',
      labelNames: ['name', 'namespace'],
      registers,
    });
    this.weight = new Gauge({
      name: 'kanaria_canary_weight',
      help: 'Percentage of traffic routed to the canary',
      labelNames: ['name', 'namespace'],
      registers,
    });
    this.failedChecks = new Gauge({
      name: 'kanaria_canary_failed_checks',
      help: 'Failed checks of the current release',
      labelNames: ['name', 'namespace'],
      registers,
    });
    this.releaseDuration = new Histogram({
      name: 'kanaria_release_duration_seconds',
      help: 'Duration of a release from its start to Succeeded or Failed',
      labelNames: ['name', 'namespace', 'outcome'],
      buckets: [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400],
      registers,
    });
    this.releases = new Counter({
      name: 'kanaria_releases_total',
      help: 'Finished releases by outcome',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of RELEASE_OUTCOMES) this.releases.inc({ outcome }, 0);
    this.reconcileDuration = new Histogram({
      name: 'kanaria_reconcile_duration_seconds',
      help: 'Duration of one reconcile of a canary',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.reconciles = new Counter({
      name: 'kanaria_reconciles_total',
      help: 'Reconciles by what queued them: a watched kind (Canary, Deployment, Ingress, …), timer, checks, retry, resync',
      labelNames: ['trigger'],
      registers,
    });
    this.reconcileBusy = new Counter({
      name: 'kanaria_reconcile_busy_seconds_total',
      help: 'Worker time spent in reconciles, by what queued them (as kanaria_reconciles_total)',
      labelNames: ['trigger'],
      registers,
    });
    this.queueWait = new Histogram({
      name: 'kanaria_workqueue_queue_duration_seconds',
      help: 'How long a Canary waited in the work queue before a worker took it, by what queued it (as kanaria_reconciles_total)',
      labelNames: ['trigger'],
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.stepDelay = new Histogram({
      name: 'kanaria_step_delay_seconds',
      help: 'How late the routes of a weight step were written: from when the step was due (the last step plus the interval) to the write',
      buckets: [0.05, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    // Fine between 100 and 500 ms, where a step's delay crosses from ordinary to late.
    const stepPartBuckets = [0.01, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 1, 2.5, 5, 10];
    this.stepWrite = new Histogram({
      name: 'kanaria_step_write_seconds',
      help: 'The writing part of the step delay: from the decision to take a weight step to its routes written (status, then route)',
      buckets: stepPartBuckets,
      registers,
    });
    this.stepWait = new Histogram({
      name: 'kanaria_step_wait_seconds',
      help: 'The waiting part of the step delay: from when the step was due to the start of the reconcile that took it (timer, work queue, check results that came after an earlier reconcile)',
      buckets: stepPartBuckets,
      registers,
    });
    this.stepDecide = new Histogram({
      name: 'kanaria_step_decide_seconds',
      help: 'The deciding part of the step delay: from the start of the reconcile that took the step to its decision (checks it waited for, reading the caches, deciding)',
      buckets: stepPartBuckets,
      registers,
    });
    this.checkStage = new Histogram({
      name: 'kanaria_check_stage_seconds',
      help: 'How long a check stage (its webhooks and, for analysis, metric queries) took, from its start to its results in',
      labelNames: ['stage'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    const queueDepth = options.queueDepth;
    new Gauge({
      name: 'kanaria_workqueue_depth',
      help: 'Canary keys waiting in the work queue',
      registers,
      collect() {
        this.set(queueDepth ? queueDepth() : 0);
      },
    });
    const eventsWaiting = options.eventsWaiting;
    new Gauge({
      name: 'kanaria_events_waiting',
      help: 'Events of ordinary decisions (steps, releases started) waiting to be written or being written',
      registers,
      collect() {
        this.set(eventsWaiting ? eventsWaiting() : 0);
      },
    });
    this.eventsDropped = new Counter({
      name: 'kanaria_events_dropped_total',
      help: 'Events of ordinary decisions never written: the buffer was full, or the controller stopped first',
      registers,
    });
    const shard = options.shard;
    if (shard) {
      new Gauge({
        name: 'kanaria_shard_members',
        help: 'Live replicas sharing the Canaries, this one included',
        registers,
        collect() {
          this.set(shard.members());
        },
      });
      new Gauge({
        name: 'kanaria_shard_canaries',
        help: 'Canaries this replica reconciles',
        registers,
        collect() {
          this.set(shard.canaries());
        },
      });
    }
    this.apiRequests = new Counter({
      name: 'kanaria_api_requests_total',
      help: 'Requests to the Kubernetes API server by verb',
      labelNames: ['verb'],
      registers,
    });
    this.leader = new Gauge({
      name: 'kanaria_leader',
      help: '1 while this process holds the leader Lease, else 0',
      registers,
    });
    this.leader.set(0);
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  }

  recordStatus(name: string, namespace: string, phase: Phase, weight: number, failedChecks: number): void {
    const labels = { name, namespace };
    this.status.set(labels, PHASE_CODES[phase] ?? -1);
    this.weight.set(labels, weight);
    this.failedChecks.set(labels, failedChecks);
  }

  /** Drops every per-canary series of a deleted canary. */
  forget(name: string, namespace: string): void {
    const labels = { name, namespace };
    this.status.remove(labels);
    this.weight.remove(labels);
    this.failedChecks.remove(labels);
    for (const outcome of RELEASE_OUTCOMES) this.releaseDuration.remove({ ...labels, outcome });
  }

  releaseFinished(name: string, namespace: string, outcome: ReleaseOutcome, seconds: number): void {
    this.releaseDuration.observe({ name, namespace, outcome }, seconds);
    this.releases.inc({ outcome });
  }

  reconciled(seconds: number, outcome: ReconcileOutcome, trigger = 'other'): void {
    this.reconcileDuration.observe({ outcome }, seconds);
    this.reconciles.inc({ trigger });
    this.reconcileBusy.inc({ trigger }, seconds);
  }

  queueWaited(seconds: number, trigger: string): void {
    this.queueWait.observe({ trigger }, seconds);
  }

  stepDelayed(delay: StepDelay): void {
    this.stepDelay.observe(delay.seconds);
    this.stepWait.observe(delay.waitingSeconds);
    this.stepDecide.observe(delay.decidingSeconds);
    this.stepWrite.observe(delay.writingSeconds);
  }

  checkStageGathered(stage: string, seconds: number): void {
    this.checkStage.observe({ stage }, seconds);
  }

  eventDropped(): void {
    this.eventsDropped.inc();
  }

  apiRequest(verb: string): void {
    this.apiRequests.inc({ verb });
  }

  setLeader(leading: boolean): void {
    this.leader.set(leading ? 1 : 0);
  }

  /** The exposition text for a scrape. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
