import type { Logger } from 'pino';
import type { Canary, CanaryStatus } from '../api/types.ts';
import { hooksOfType, runHooks } from '../checks/webhooks.ts';
import type { Plan, Snapshot } from '../engine/model.ts';
import { describeError } from '../kube/client.ts';
import type { KubeWriter } from '../kube/writer.ts';
import type { EventSink } from './event-sink.ts';
import type { AlertSink } from './reconciler.ts';
import { canaryEvent, hookPayload } from './outcome.ts';

export interface NotifyOptions {
  writer: KubeWriter;
  log: Logger;
  clock: () => number;
  alert?: AlertSink;
  signal?: AbortSignal;
  /** Writes the Events off the reconcile; without it they are awaited here. */
  events?: EventSink;
}

/** Events, event webhooks and alerts of an ordinary decision: best effort, after the decision is recorded. */
export async function notifyDecision(
  options: NotifyOptions,
  canary: Canary,
  snapshot: Snapshot,
  plan: Plan,
): Promise<void> {
  const namespace = canary.metadata.namespace!;
  const name = canary.metadata.name;
  const log = options.log.child({ canary: `${namespace}/${name}` });
  for (const e of plan.events) {
    log[e.type === 'Warning' ? 'warn' : 'info']({ reason: e.reason }, e.message);
    fireEventHooks(options, canary, snapshot, plan.status, e.message, e.type);
    const event = canaryEvent(canary, e, new Date(options.clock()));
    if (options.events) options.events.add(`${namespace}/${name}`, event);
    else
      await options.writer
        .createEvent(event)
        .catch((err) => log.warn({ err: describeError(err) }, 'recording an event failed'));
  }
  for (const a of plan.alerts) void options.alert?.(canary, a, plan.status);
}

/** Event webhooks of ordinary decisions run in the background: their outcome changes nothing. */
function fireEventHooks(
  options: NotifyOptions,
  canary: Canary,
  snapshot: Snapshot,
  status: CanaryStatus,
  message: string,
  eventType: string,
): void {
  const hooks = hooksOfType(snapshot.spec.analysis.webhooks, 'event');
  if (hooks.length === 0) return;
  const payload = {
    ...hookPayload(canary, status, status.phase ?? ''),
    metadata: { eventMessage: message, eventType, timestamp: String(options.clock()) },
  };
  void runHooks(hooks, 'event', payload, options.signal).then(
    (results) => {
      for (const r of results)
        if (!r.ok) options.log.warn({ canary: `${payload.namespace}/${payload.name}` }, r.message);
    },
    () => undefined, // stopped: the leader after us reports what it decides
  );
}
