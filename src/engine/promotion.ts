import type { Decision } from './context.ts';
import { WAIT_READY_MS } from './context.ts';
import { rollback } from './progress.ts';
import { startRelease } from './release.ts';
import { sameConfigs } from './status.ts';
import { stopBaseline } from './baseline.ts';

/**
 * A target that no longer is the analysed revision must not reach the primary nor keep traffic:
 * the analysis starts again for what the target runs now. True when it did.
 */
function restartIfTargetChanged(d: Decision): boolean {
  const { s } = d;
  if (s.target.templateHash === d.status.lastAppliedSpec && sameConfigs(s.configs, d.status.trackedConfigs))
    return false;
  // What the primary runs is the truth about the last promotion, whether the copy landed or not.
  if (s.primary.templateHash) d.status.lastPromotedSpec = s.primary.templateHash;
  d.event('Normal', 'Synced', `New revision detected during promotion! Restarting analysis for ${d.id}`);
  startRelease(d);
  d.setWeight(0);
  d.phase('Progressing', 'new revision detected during promotion, restarting the analysis');
  d.requeue(WAIT_READY_MS);
  return true;
}

/** Promoting: the primary rolls out the promoted template; traffic stays where it is until it is ready. */
export function promoting(d: Decision): undefined {
  const { s } = d;
  if (restartIfTargetChanged(d)) return undefined;
  const primaryId = `${s.name}-primary.${s.namespace}`;
  if (s.primary.templateHash !== d.status.lastPromotedSpec) {
    // The copy did not land (a crash between the status and the write): do it again.
    d.actions.push({
      type: 'promote',
      templateHash: d.status.lastPromotedSpec ?? '',
      configs: d.status.trackedConfigs ?? {},
    });
    d.requeue(WAIT_READY_MS);
    return undefined;
  }
  if (!s.primary.ready) {
    const since = Date.parse(d.status.waitingSince ?? d.nowIso);
    d.status.waitingSince ??= d.nowIso;
    if (d.now - since <= d.deadlineMs) {
      d.waitMessage(`waiting for ${primaryId} rollout: ${s.primary.notReadyReason ?? 'pods not ready'}`);
      d.requeueWhileWaiting(since);
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
  if (d.status.phase === 'Finalising' && s.status.phase === 'Finalising' && restartIfTargetChanged(d))
    return undefined;
  const weight = d.status.canaryWeight ?? 0;
  const step = s.spec.analysis.stepWeightPromotion;
  // The recorded weight is the one in force; a route that differs (a crash, a hand edit) is put back first.
  // A header route left from the release goes with the next weight write, which the steps below make at
  // once when the weight moves to 0 in one step.
  const headerStays = s.routedMatch && (weight === 0 || (step ?? 0) > 0);
  if ((s.routedWeight ?? 0) !== weight || headerStays) {
    d.setWeight(weight);
    d.requeue(WAIT_READY_MS);
    return undefined;
  }
  if (weight > 0) {
    if (step && step > 0 && d.status.lastStepTime) {
      const due = Date.parse(d.status.lastStepTime) + d.intervalMs;
      if (d.now < due) {
        d.requeue(due - d.now);
        return undefined;
      }
    }
    const next = step && step > 0 ? Math.max(0, weight - step) : 0;
    d.setWeight(next);
    d.status.lastStepTime = d.nowIso;
    if (next > 0)
      d.event('Normal', 'Synced', `Advance ${s.name}-primary.${s.namespace} weight ${100 - next}`);
    d.requeue(next > 0 ? d.intervalMs : WAIT_READY_MS);
    return undefined;
  }
  d.actions.push({ type: 'scaleTarget', replicas: 0 });
  stopBaseline(d);
  d.status.promotedConfigs = d.status.trackedConfigs;
  d.status.lastStepTime = undefined;
  d.phase('Succeeded', 'promotion completed');
  d.outcome(
    {
      kind: 'promoted',
      severity: 'info',
      message: `Promotion completed! ${d.id} now runs the new version`,
    },
    [{ type: 'Normal', reason: 'Synced', message: `Promotion completed! Scaling down ${d.id}` }],
  );
  return undefined;
}
