import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { createKube, type Kube } from '../kube/client.ts';
import { KubeWriter } from '../kube/writer.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { OperatorMetrics } from '../observability/metrics.ts';
import { startHttpServer, type HttpServer } from '../observability/server.ts';
import { DEFAULT_ANNOTATION_PREFIX } from '../router/nginx.ts';
import type { DefaultAlertProvider } from './alerts.ts';
import { LeaderElector } from './leader.ts';
import { Manager } from './manager.ts';
import { Membership } from '../shard/membership.ts';
import { observeStatus } from './status-metrics.ts';
import type { AlertSink, AnalysisChecker } from './reconciler.ts';

export const DEFAULT_SELECTOR_LABELS = ['app', 'name', 'app.kubernetes.io/name'];

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface ShardingOptions {
  /** Namespace of the member Leases (the operator's own). */
  namespace: string;
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface ControllerOptions {
  kubeconfig?: string;
  namespace?: string;
  selectorLabels?: string[];
  ingressAnnotationPrefix?: string;
  ingressClass?: string;
  logLevel?: string;
  log?: Logger;
  workers?: number;
  clock?: () => number;
  metricsServer?: string;
  clusterName?: string;
  defaultAlertProvider?: DefaultAlertProvider;
  analysisChecks?: AnalysisChecker;
  alert?: AlertSink;
  /** host:port for /metrics, /healthz, /readyz (and extra routes such as the gate API); none when unset. */
  listenAddress?: string;
  extraRoutes?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Reconcile only while holding this Lease. */
  leaderElection?: LeaderElectionOptions;
  /** Several replicas split the Canaries between them (src/shard); excludes leaderElection. */
  sharding?: ShardingOptions;
}

export interface RunningController {
  kube: Kube;
  /** The manager while this process reconciles (always without leader election). */
  readonly manager: Manager | undefined;
  metrics: OperatorMetrics;
  server?: HttpServer;
  log: Logger;
  isLeader(): boolean;
  stop(): Promise<void>;
}

export async function startController(options: ControllerOptions = {}): Promise<RunningController> {
  const log = options.log ?? createLogger(options.logLevel ?? 'info');
  const kube = createKube(options.kubeconfig);
  const clock = options.clock ?? Date.now;
  if (options.leaderElection && options.sharding)
    throw new Error('leader election and sharding exclude each other: choose one');
  const identity =
    options.leaderElection?.identity ?? options.sharding?.identity ?? `${hostname()}-${process.pid}`;
  let manager: Manager | undefined;
  let elector: LeaderElector | undefined;
  let membership: Membership | undefined;
  const owns = (key: string) => membership?.mayAct(key) ?? true;
  const metrics = new OperatorMetrics({
    queueDepth: () => manager?.queue.depth ?? 0,
    eventsWaiting: () => manager?.eventsWaiting ?? 0,
    shard: options.sharding
      ? {
          members: () => membership?.members().length ?? 0,
          canaries: () => manager?.countCanaries(owns) ?? 0,
        }
      : undefined,
  });
  // With leader election, every write first checks that the Lease is held right now (by the monotonic
  // clock, so a process woken from a pause writes nothing); without it, writes are always allowed.
  const writer = new KubeWriter(kube, identity, (verb) => metrics.apiRequest(verb), {
    guard: () => elector?.leaseProblem() ?? membership?.problem(),
    onRefused: (verb, err) => log.warn({ verb, code: err.code, reason: err.message }, 'write not sent'),
  });

  const newManager = (signal: AbortSignal) =>
    new Manager({
      kube,
      writer,
      signal,
      log,
      clock,
      namespace: options.namespace,
      workers: options.workers,
      selectorLabels: options.selectorLabels ?? DEFAULT_SELECTOR_LABELS,
      ingressAnnotationPrefix: options.ingressAnnotationPrefix ?? DEFAULT_ANNOTATION_PREFIX,
      ingressClass: options.ingressClass,
      metricsServer: options.metricsServer,
      clusterName: options.clusterName,
      defaultAlertProvider: options.defaultAlertProvider,
      analysisChecks: options.analysisChecks,
      alert: options.alert,
      onReconcile: (seconds, outcome, trigger) => metrics.reconciled(seconds, outcome, trigger),
      onStatus: observeStatus(metrics, clock),
      onQueueWait: (seconds, trigger) => metrics.queueWaited(seconds, trigger),
      onCheckStage: (stage, seconds) => metrics.checkStageGathered(stage, seconds),
      onStepDelay: (delay) => metrics.stepDelayed(delay),
      onDeleted: (namespace, name) => metrics.forget(name, namespace),
      onEventDropped: () => metrics.eventDropped(),
      owns: options.sharding ? owns : undefined,
    });

  // Starts and stops of the manager run one after the other, whatever order leadership changes in.
  let transitions: Promise<void> = Promise.resolve();
  // A manager whose start() still waits for its caches (they retry until the API server lists).
  let starting: Manager | undefined;
  // Aborted the moment leadership ends: in-flight reconciles, their webhooks and metric queries stop now,
  // not when the manager's stop() gets its turn below.
  let term: AbortController | undefined;
  const lead = (leading: boolean, why = 'stopped leading'): Promise<void> => {
    metrics.setLeader(leading);
    if (!leading) {
      term?.abort(new Error(why));
      // Stopping a starting manager makes its start() fail at once instead of holding up this transition.
      void starting?.stop().catch(() => undefined);
    }
    const step = transitions.then(async () => {
      if (leading && !manager) {
        term = new AbortController();
        const m = newManager(term.signal);
        manager = m;
        starting = m;
        try {
          await m.start();
        } catch (err) {
          manager = undefined;
          await m.stop().catch(() => undefined);
          throw err;
        } finally {
          starting = undefined;
        }
      } else if (!leading && manager) {
        const m = manager;
        manager = undefined;
        await m.stop();
      }
    });
    // A failed start or stop must not block the transitions after it.
    transitions = step.catch((err) => log.error({ err: String(err) }, 'controller start/stop failed'));
    return step;
  };

  // Served before the caches are listed, so that probes see a live process that is not ready yet.
  let server: HttpServer | undefined;
  if (options.listenAddress) {
    const i = options.listenAddress.lastIndexOf(':');
    server = await startHttpServer({
      host: options.listenAddress.slice(0, i) || '0.0.0.0',
      port: Number(options.listenAddress.slice(i + 1)),
      metrics,
      // A standby is ready (it can take over at once); a manager once all its caches have listed.
      ready: () => (manager ? manager.synced() : elector !== undefined),
      extraRoutes: options.extraRoutes,
    });
    log.info({ url: server.url }, 'serving /metrics, /healthz and /readyz');
  }

  if (options.leaderElection) {
    const le = options.leaderElection;
    elector = new LeaderElector({
      kube,
      namespace: le.namespace,
      name: le.name,
      identity,
      leaseDurationMs: le.leaseDurationMs,
      renewDeadlineMs: le.renewDeadlineMs,
      retryPeriodMs: le.retryPeriodMs,
      clock,
      log,
      onStartedLeading: () => {
        log.info({ identity }, 'became the leader; reconciling');
        const begin = (): void =>
          void lead(true).catch(() => {
            // Still the leader but the caches could not start (API server trouble): try again shortly.
            setTimeout(() => elector?.isLeader && !manager && begin(), 2000).unref();
          });
        begin();
      },
      onStoppedLeading: () => {
        log.warn({ identity }, 'not the leader any more; reconciling stopped');
        void lead(false, 'not the leader any more').catch(() => undefined);
      },
    });
    elector.start();
  } else if (options.sharding) {
    const sh = options.sharding;
    membership = new Membership({
      kube,
      namespace: sh.namespace,
      identity,
      leaseDurationMs: sh.leaseDurationMs,
      renewDeadlineMs: sh.renewDeadlineMs,
      retryPeriodMs: sh.retryPeriodMs,
      clock,
      log,
      onChange: () => manager?.requeueAll(),
      drain: (keeps) => manager?.drain(keeps) ?? Promise.resolve(),
    });
    membership.start();
    try {
      await lead(true);
    } catch (err) {
      await membership.stop();
      await server?.close();
      throw err;
    }
  } else {
    try {
      await lead(true);
    } catch (err) {
      await server?.close();
      throw err;
    }
  }

  return {
    kube,
    get manager() {
      return manager;
    },
    metrics,
    server,
    log,
    isLeader: () => manager !== undefined,
    async stop() {
      if (elector) await elector.stop();
      await lead(false, 'the controller is stopping').catch(() => undefined);
      await transitions;
      // After the manager: the peers take over once the member Lease is gone.
      await membership?.stop();
      await server?.close();
    },
  };
}
