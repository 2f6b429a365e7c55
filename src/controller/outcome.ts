import type { Logger } from 'pino';
import type { Canary, CanaryStatus, OutcomeAlert, OutcomeEvent, PendingOutcome } from '../api/types.ts';
import { hooksOfType, runHooks, type HookPayload } from '../checks/webhooks.ts';
import { withDefaults } from '../api/defaults.ts';
import { describeError } from '../kube/client.ts';
import type { EventInput } from '../kube/event-body.ts';
import type { KubeWriter } from '../kube/writer.ts';

/** Attempts after which what is still undelivered of an outcome is given up (and logged). */
export const MAX_OUTCOME_ATTEMPTS = 5;

export interface OutcomeDelivery {
  writer: KubeWriter;
  log: Logger;
  clock: () => number;
  /** Resolves true when every destination of the alert got it. */
  alert?: (canary: Canary, alert: OutcomeAlert, status: CanaryStatus) => Promise<boolean> | boolean;
  /** Aborts the webhooks (leadership lost, shutdown); the outcome then stays recorded for the next leader. */
  signal?: AbortSignal;
}

/** The Event that records `e` on the Canary. */
export function canaryEvent(canary: Canary, e: OutcomeEvent, now: Date): EventInput {
  const { name, namespace, uid } = canary.metadata;
  return {
    namespace: namespace!,
    regarding: { apiVersion: canary.apiVersion, kind: 'Canary', name, uid },
    type: e.type,
    reason: e.reason,
    action: 'Reconcile',
    note: e.message,
    now,
  };
}

export function hookPayload(canary: Canary, status: CanaryStatus, phase: string): HookPayload {
  return {
    name: canary.metadata.name,
    namespace: canary.metadata.namespace!,
    phase,
    checksum: status.lastAppliedSpec ?? '',
  };
}

/**
 * Delivers a recorded promotion or rollback: its Events and alerts, awaited (each bounded by its
 * timeout), and the post-rollout and event webhooks, started in the background. Returns what is still undelivered
 * (Events the API server refused, alerts a destination did not take), undefined when nothing is left.
 * The caller keeps that part recorded, so a crash or a failure delivers it again: at least once.
 */
export async function deliverOutcome(
  o: OutcomeDelivery,
  canary: Canary,
  status: CanaryStatus,
  outcome: PendingOutcome,
): Promise<PendingOutcome | undefined> {
  const namespace = canary.metadata.namespace!;
  const name = canary.metadata.name;
  const phase = status.phase ?? '';
  const log = o.log.child({ canary: `${namespace}/${name}` });
  const webhooks = withDefaults(canary.spec).analysis.webhooks;
  const eventHooks = hooksOfType(webhooks, 'event');
  const events = await Promise.all(
    outcome.events.map(async (e) => {
      log[e.type === 'Warning' ? 'warn' : 'info']({ reason: e.reason }, e.message);
      if (eventHooks.length > 0)
        void runHooks(
          eventHooks,
          'event',
          {
            ...hookPayload(canary, status, phase),
            metadata: { eventMessage: e.message, eventType: e.type, timestamp: String(o.clock()) },
          },
          o.signal,
        ).catch(() => undefined);
      try {
        await o.writer.createEvent(canaryEvent(canary, e, new Date(o.clock())));
        return undefined;
      } catch (err) {
        log.warn({ err: describeError(err) }, 'recording an event failed; it is kept for the next attempt');
        return e;
      }
    }),
  );
  const alerts = await Promise.all(
    outcome.alerts.map(async (a) => ((await (o.alert?.(canary, a, status) ?? true)) ? undefined : a)),
  );
  if (outcome.postRollout) {
    // Called once, in the background: a slow post-rollout hook must not hold the worker.
    const hooks = hooksOfType(webhooks, 'post-rollout');
    if (hooks.length > 0)
      void runHooks(hooks, 'post-rollout', hookPayload(canary, status, phase), o.signal).then(
        (results) => results.filter((r) => !r.ok).forEach((r) => log.warn(r.message)),
        () => undefined,
      );
  }
  const left = {
    id: outcome.id,
    events: events.filter((e) => e !== undefined),
    alerts: alerts.filter((a) => a !== undefined),
    postRollout: false,
    attempts: (outcome.attempts ?? 0) + 1,
  };
  return left.events.length + left.alerts.length > 0 ? left : undefined;
}
