import { createAnalysisChecker, unreachableProviders } from '../checks/analysis.ts';
import { createRouteRequestCounter } from '../checks/route-requests.ts';
import type { Snapshot } from '../engine/model.ts';
import type { KubeWriter } from '../kube/writer.ts';
import { createAlertSink } from './alerts.ts';
import type { Caches } from './caches.ts';
import { CheckRunner } from './check-runner.ts';
import { decisionEventSink, type EventSink } from './event-sink.ts';
import type { HeldObjects } from './held-objects.ts';
import type { ManagerOptions } from './manager.ts';
import { Reconciler } from './reconciler.ts';
import { referencedObjects } from './referenced.ts';
import { ResourceStatus } from './resource-status.ts';

/**
 * A reconcile that starts its checks keeps its worker this long for them: most answer within it, and the
 * step is then decided and written in one turn instead of waiting behind the queue a second time.
 */
const CHECKS_INLINE_WAIT_MS = 50;

/** What the manager gives the reconciler beyond its options: one leadership term's writer and signal. */
export interface WiringInput {
  caches: Caches;
  held: HeldObjects;
  /** Writes of this manager, with a signal of their own that aborts when `signal` does. */
  writer: KubeWriter;
  /** Aborted when the leadership term ends or the manager stops. */
  signal: AbortSignal;
  /** True while Canaries wait for a worker. */
  backlog: () => boolean;
  stopping: () => boolean;
  /** Queues a Canary whose check results came in after its reconcile stopped waiting for them. */
  wake: (key: string) => void;
  workerCount: number;
}

export interface Wiring {
  reconciler: Reconciler;
  resourceStatus: ResourceStatus;
  events: EventSink;
}

/** The reconciler and what it writes through, built on the manager's caches once they exist. */
export function wireReconciler(o: ManagerOptions, input: WiringInput): Wiring {
  const { caches, held, writer } = input;
  const metricSources = {
    metricTemplates: caches.metricTemplates,
    secrets: caches.secrets,
    defaultPrometheus: o.metricsServer,
    clock: o.clock,
  };
  const analysisChecks = o.analysisChecks ?? createAnalysisChecker(metricSources);
  const providerProblems = (snapshot: Snapshot, signal?: AbortSignal) =>
    unreachableProviders(metricSources, snapshot, signal);
  const alert =
    o.alert ??
    createAlertSink({
      alertProviders: caches.alertProviders,
      secrets: caches.secrets,
      clusterName: o.clusterName,
      defaultProvider: o.defaultAlertProvider,
      clock: o.clock,
      log: o.log,
    }).sink;
  const resourceStatus = new ResourceStatus(writer, o.clock, o.log);
  const events = decisionEventSink({
    writer,
    log: o.log,
    stopping: input.stopping,
    backlog: input.backlog,
    clock: o.clock,
    onDropped: o.onEventDropped,
  });
  const reconciler = new Reconciler({
    ...o,
    events,
    checks: new CheckRunner({
      wake: input.wake,
      onGathered: o.onCheckStage,
      inlineWaitMs: CHECKS_INLINE_WAIT_MS,
      maxInlineWaits: Math.max(1, Math.floor(input.workerCount / 4)),
    }),
    caches,
    analysisChecks,
    alert,
    providerProblems,
    routeRequests: o.routeRequests ?? createRouteRequestCounter(o.metricsServer, o.clock),
    holdReferenced: async (canary) => {
      const d = o.defaultAlertProvider;
      const keys = referencedObjects(
        canary,
        caches,
        d ? { namespace: d.secretNamespace, name: d.secretName } : undefined,
      );
      await Promise.all([held.configMaps.ensure(keys.configMaps), held.secrets.ensure(keys.secrets)]);
    },
    signal: input.signal,
  });
  return { reconciler, resourceStatus, events };
}
