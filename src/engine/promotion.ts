import type { Decision } from './context.ts';
import { WAIT_READY_MS } from './context.ts';
import { rollback } from './progress.ts';

/** Promoting: the primary rolls out the promoted template; traffic stays where it is until it is ready. */
export function promoting(d: Decision): undefined {
  const { s } = d;
  const primaryId = `${s.name}-primary.${s.namespace}`;
  if (s.primary.templateHash !== d.status.lastPromotedSpec) {
    // The copy did not land (a crash between the write and the status): do it again.
    d.actions.push({ type: 'promote' });
    d.requeue(WAIT_READY_MS);
    return undefined;
  }
  if (!s.primary.ready) {
    const since = Date.parse(d.status.waitingSince ?? d.nowIso);
    d.status.waitingSince ??= d.nowIso;
    if (d.now - since <= d.deadlineMs) {
      d.status.message = `waiting for ${primaryId} rollout: ${s.primary.notReadyReason ?? 'pods not ready'}`;
      d.requeue(WAIT_READY_MS);
      return undefined;
    }
    if (s.primary.available) {
      rollback(
        d,
        `promotion failed: ${primaryId} not ready after progressDeadlineSeconds ${d.deadlineMs / 1000}: ${s.primary.notReadyReason ?? 'pods not ready'}`,
        [],
      );
      return undefined;
    }
    // Neither side may lose its last ready backend: keep the canary serving and say why.
    const message = `promotion stalled: ${primaryId} has no ready pods; traffic stays on the canary until it has`;
    if (d.status.message !== message) d.event('Warning', 'Synced', message);
    d.status.message = message;
    d.requeue(d.intervalMs);
    return undefined;
  }
  d.status.waitingSince = undefined;
  d.phase('Finalising', `routing all traffic back to ${primaryId}`);
  return finalising(d);
}

/** Finalising: traffic back to the primary (at once or by stepWeightPromotion), then the canary to zero. */
export function finalising(d: Decision): undefined {
  const { s } = d;
  const weight = d.status.canaryWeight ?? 0;
  const step = s.spec.analysis.stepWeightPromotion;
  if (weight > 0) {
    const next = step && step > 0 ? Math.max(0, weight - step) : 0;
    d.setWeight(next);
    if (next > 0) {
      d.event('Normal', 'Synced', `Advance ${s.name}-primary.${s.namespace} weight ${100 - next}`);
      d.requeue(d.intervalMs);
      return undefined;
    }
    d.requeue(0);
    return undefined;
  }
  if ((s.routedWeight ?? 0) !== 0 || s.routedMatch) {
    d.setWeight(0);
    d.requeue(WAIT_READY_MS);
    return undefined;
  }
  d.actions.push({ type: 'scaleTarget', replicas: 0 });
  d.actions.push({ type: 'runHooks', hookType: 'post-rollout' });
  d.status.promotedConfigs = d.status.trackedConfigs;
  d.status.lastStepTime = undefined;
  d.phase('Succeeded', 'promotion completed');
  d.event('Normal', 'Synced', `Promotion completed! Scaling down ${d.id}`);
  d.alerts.push({
    kind: 'promoted',
    severity: 'info',
    message: `Promotion completed! ${d.id} now runs the new version`,
  });
  return undefined;
}
