import type { Logger } from 'pino';
import type { Canary, CanaryStatus, OutcomeAlert, PendingOutcome } from '../api/types.ts';
import { hooksOfType, runHooks, type HookPayload } from '../checks/webhooks.ts';
import { withDefaults } from '../api/defaults.ts';
import { describeError } from '../kube/client.ts';
import type { KubeWriter } from '../kube/writer.ts';

export interface OutcomeDelivery {
  writer: KubeWriter;
  log: Logger;
  clock: () => number;
  alert?: (canary: Canary, alert: OutcomeAlert, status: CanaryStatus) => Promise<void> | void;
  /** Aborts the webhooks (leadership lost, shutdown); the outcome then stays recorded for the next leader. */
  signal?: AbortSignal;
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
 * Delivers a recorded promotion or rollback: its Events, its alert, the post-rollout webhooks and the
 * event webhooks, each awaited (all bounded by their own timeouts). The caller clears the record only
 * afterwards, so a crash in between delivers again: at least once, never silently lost.
 */
export async function deliverOutcome(
  o: OutcomeDelivery,
  canary: Canary,
  status: CanaryStatus,
  outcome: PendingOutcome,
): Promise<void> {
  const namespace = canary.metadata.namespace!;
  const name = canary.metadata.name;
  const phase = status.phase ?? '';
  const log = o.log.child({ canary: `${namespace}/${name}` });
  const webhooks = withDefaults(canary.spec).analysis.webhooks;
  const work: Promise<unknown>[] = [];
  for (const e of outcome.events) {
    log[e.type === 'Warning' ? 'warn' : 'info']({ reason: e.reason }, e.message);
    work.push(
      o.writer
        .createEvent({
          namespace,
          regarding: { apiVersion: canary.apiVersion, kind: 'Canary', name, uid: canary.metadata.uid },
          type: e.type,
          reason: e.reason,
          action: 'Reconcile',
          note: e.message,
          now: new Date(o.clock()),
        })
        .catch((err) => log.warn({ err: describeError(err) }, 'recording an event failed')),
    );
    const eventHooks = hooksOfType(webhooks, 'event');
    if (eventHooks.length > 0)
      work.push(
        runHooks(
          eventHooks,
          'event',
          {
            ...hookPayload(canary, status, phase),
            metadata: { eventMessage: e.message, eventType: e.type, timestamp: String(o.clock()) },
          },
          o.signal,
        ),
      );
  }
  if (o.alert) work.push(Promise.resolve(o.alert(canary, outcome.alert, status)));
  if (outcome.postRollout) {
    const hooks = hooksOfType(webhooks, 'post-rollout');
    if (hooks.length > 0)
      work.push(
        runHooks(hooks, 'post-rollout', hookPayload(canary, status, phase), o.signal).then((results) => {
          for (const r of results) if (!r.ok) log.warn(r.message);
        }),
      );
  }
  await Promise.allSettled(work);
}
