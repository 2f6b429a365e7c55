import { Decision, WAIT_READY_MS, type NeedChecks } from './context.ts';
import type { CheckResults, Plan, Snapshot } from './model.ts';
import { progress } from './progress.ts';
import { startRelease } from './release.ts';
import { releaseWindowState } from './windows.ts';
import { promoting, finalising } from './promotion.ts';
import { sameConfigs, setCondition } from './status.ts';
import { stopBaseline } from './baseline.ts';

export type { NeedChecks };

/**
 * Decides what one reconcile of one Canary does. Pure: the snapshot, the results of the checks it asked
 * for and the time are its only inputs. When it needs check results it does not have yet, it returns
 * `{ need: stage }`; the shell runs those checks and calls it again with them.
 */
export function decide(s: Snapshot, results: CheckResults, now: number): Plan | NeedChecks {
  const d = new Decision(s, results, now);
  recordDecision(d);
  const outcome = route(d);
  if (outcome) return outcome;
  d.status.conditions = setCondition(
    d.status.conditions,
    s.problem
      ? { type: 'Ready', status: 'False', reason: s.problem.reason, message: s.problem.message }
      : { type: 'Ready', status: 'True', reason: 'Reconciled', message: 'all objects are in place' },
    d.nowIso,
  );
  if (s.route)
    d.status.conditions = setCondition(
      d.status.conditions,
      {
        type: 'RouteReady',
        status: s.route.ready ? 'True' : 'False',
        reason: s.route.reason,
        message: s.route.message,
      },
      d.nowIso,
    );
  return d.plan();
}

/** Who approved or asked to roll back the current release goes into status, beside the Event. */
function recordDecision(d: Decision): void {
  const decision = d.s.requests.decision;
  if (!decision || decision.revision !== d.status.revision) return;
  const recorded = d.status.lastDecision;
  if (recorded?.at === decision.at && recorded.by === decision.by && recorded.decision === decision.decision)
    return;
  d.status.lastDecision = { ...decision };
}

export function isNeed(x: Plan | NeedChecks): x is NeedChecks {
  return 'need' in x;
}

function route(d: Decision): NeedChecks | undefined {
  const { s } = d;
  if (s.deleting) return terminating(d);
  if (s.problem) {
    if (s.status.message !== s.problem.message) d.event('Warning', s.problem.reason, s.problem.message);
    d.status.message = s.problem.message;
    // Never leave traffic on a canary whose objects are broken.
    if ((s.routedWeight ?? 0) > 0 && s.primary.available) d.setWeight(0);
    d.requeue(30_000);
    return undefined;
  }
  if (s.spec.suspend) {
    if (s.status.message !== 'suspended')
      d.event('Normal', 'Suspended', `${d.id} is suspended; no changes until spec.suspend is false`);
    d.status.message = 'suspended';
    return undefined;
  }
  const phase = s.status.phase;
  if (!phase || phase === 'Initializing' || !s.primary.exists) return initializing(d);
  switch (phase) {
    case 'Progressing':
    case 'WaitingPromotion':
      return progress(d);
    case 'Promoting':
      return promoting(d);
    case 'Finalising':
      return finalising(d);
    case 'Terminating':
    case 'Terminated':
      return idle(d);
    default:
      return idle(d);
  }
}

function initializing(d: Decision): undefined {
  const { s } = d;
  if (s.status.phase !== 'Initializing') {
    d.actions.push({ type: 'initPrimary' });
    d.phase('Initializing', `creating ${s.name}-primary.${s.namespace}`);
    d.event(
      'Normal',
      'Initializing',
      `Initializing ${d.id}: creating the primary Deployment, Services and canary Ingress`,
    );
    d.status.waitingSince = d.nowIso;
    d.requeue(WAIT_READY_MS);
    return undefined;
  }
  if (!s.primary.ready) {
    d.actions.push({ type: 'initPrimary' });
    const waiting =
      `waiting for ${s.name}-primary.${s.namespace} to be ready: ${s.primary.notReadyReason ?? ''}`.trim();
    const since = Date.parse(s.status.waitingSince ?? d.nowIso);
    d.status.waitingSince ??= d.nowIso;
    if (d.now - since > d.deadlineMs) {
      // Traffic stays on the target through the apex Service; initialisation keeps trying.
      const message = `initialization of ${d.id} exceeded progressDeadlineSeconds ${d.deadlineMs / 1000}: ${waiting}`;
      if (s.status.message !== message) d.event('Warning', 'InitializationTimeout', message);
      d.status.message = message;
      d.status.conditions = setCondition(
        d.status.conditions,
        { type: 'Initialized', status: 'False', reason: 'ProgressDeadlineExceeded', message },
        d.nowIso,
      );
      d.requeue(WAIT_READY_MS * 5);
      return undefined;
    }
    d.waitMessage(waiting);
    d.requeueWhileWaiting(since);
    return undefined;
  }
  // The target is scaled to 0 by the next reconcile (Initialized), after the apex Service has moved
  // to the ready primary, so that users are never left without a backend.
  d.setWeight(0);
  d.status.conditions = setCondition(
    d.status.conditions,
    {
      type: 'Initialized',
      status: 'True',
      reason: 'PrimaryReady',
      message: `${s.name}-primary.${s.namespace} is ready`,
    },
    d.nowIso,
  );
  d.requeue(WAIT_READY_MS);
  d.phase('Initialized', 'initialization done');
  d.status = {
    ...d.status,
    failedChecks: 0,
    iterations: 0,
    lastAppliedSpec: s.target.templateHash,
    lastPromotedSpec: s.target.templateHash,
    trackedConfigs: s.configs,
    promotedConfigs: s.configs,
    waitingSince: undefined,
  };
  d.event('Normal', 'Synced', `Initialization done! ${d.id}`);
  d.alerts.push({ kind: 'initialized', severity: 'info', message: `Initialization done! ${d.id}` });
  return undefined;
}

/** Initialized, Succeeded, Failed and Waiting: no release runs; a change of the target starts one. */
function idle(d: Decision): NeedChecks | undefined {
  const { s } = d;
  // No release analyses in these phases, so a baseline left running (a crash after the outcome) stops.
  stopBaseline(d);
  const changed =
    s.target.templateHash !== s.status.lastAppliedSpec || !sameConfigs(s.configs, s.status.trackedConfigs);
  if (!changed) {
    if (s.status.phase === 'Waiting') d.phase('Initialized', 'the pending change was reverted');
    if ((s.routedWeight ?? 0) !== 0 || s.routedMatch) d.setWeight(0);
    if (s.target.replicas !== 0) d.actions.push({ type: 'scaleTarget', replicas: 0 });
    return undefined;
  }
  if (
    s.target.templateHash === s.status.lastPromotedSpec &&
    sameConfigs(s.configs, s.status.promotedConfigs)
  ) {
    d.status.lastAppliedSpec = s.target.templateHash;
    d.status.trackedConfigs = s.configs;
    d.event('Normal', 'Synced', `${d.id} matches ${s.name}-primary.${s.namespace} again; nothing to release`);
    if (s.target.replicas !== 0) d.actions.push({ type: 'scaleTarget', replicas: 0 });
    return undefined;
  }
  if (s.spec.skipAnalysis) {
    d.event('Normal', 'Synced', `New revision detected! ${d.id}: analysis skipped, promoting`);
    startRelease(d);
    d.actions.push({ type: 'promote', templateHash: s.target.templateHash ?? '', configs: s.configs });
    d.status.lastPromotedSpec = s.target.templateHash;
    d.phase('Promoting', 'analysis skipped');
    return undefined;
  }
  // Until the release starts the new revision runs no pods: the target stays at 0 (even when it changed
  // before the reconcile after initialisation scaled it down).
  const keepTargetDown = () => {
    if (s.target.replicas !== 0) d.actions.push({ type: 'scaleTarget', replicas: 0 });
  };
  const window = releaseWindowState(s.spec.analysis.windows, d.now);
  if (!window.open) {
    keepTargetDown();
    const message = `waiting for a release window: ${window.reason}`;
    if (s.status.phase !== 'Waiting' || s.status.message !== message)
      d.event('Normal', 'Waiting', `${d.id} ${message}`);
    d.phase('Waiting', message);
    d.status.revision = s.revision;
    d.requeue(Math.min(Math.max((window.nextOpen ?? d.now) - d.now, 1000), 10 * 60_000));
    return undefined;
  }
  const confirm = d.checks('confirm-rollout');
  if (!confirm) return { need: 'confirm-rollout' };
  const closed = confirm.find((c) => !c.ok);
  if (closed) {
    keepTargetDown();
    if (s.status.phase !== 'Waiting') {
      d.event(
        'Normal',
        'Synced',
        `Confirm-rollout check ${closed.name} failed: waiting for approval to release ${d.id}`,
      );
      d.alerts.push({
        kind: 'waiting-approval',
        severity: 'info',
        message: `Waiting for approval to start the release of ${d.id}`,
        reason: closed.message,
      });
    }
    d.phase('Waiting', `waiting for approval: ${closed.message}`);
    d.status.revision = s.revision;
    d.requeue(d.intervalMs);
    return undefined;
  }
  d.event('Normal', 'Synced', `New revision detected! Scaling up ${d.id}`);
  d.alerts.push({
    kind: 'new-revision',
    severity: 'info',
    message: `New revision detected! Starting the release of ${d.id}`,
  });
  startRelease(d);
  d.phase('Progressing', 'new revision detected, starting the analysis');
  d.requeue(WAIT_READY_MS);
  return undefined;
}

function terminating(d: Decision): undefined {
  const { s } = d;
  if (!s.spec.revertOnDeletion) {
    d.actions.push({ type: 'removeFinalizer' });
    return undefined;
  }
  // Nothing to give traffic back to, or no way to: the Canary must not block its deletion (nor its namespace's).
  const since = Date.parse(s.deletionTimestamp ?? d.nowIso);
  const giveUp = !s.target.exists
    ? `${s.spec.targetRef.name}.${s.namespace} is gone`
    : d.now - since > d.deadlineMs
      ? `${s.spec.targetRef.name}.${s.namespace} was not ready within progressDeadlineSeconds ${d.deadlineMs / 1000}`
      : undefined;
  if (giveUp) {
    d.actions.push({ type: 'removeFinalizer' });
    d.event('Warning', 'FinalizerRemoved', `Not reverting ${d.id}: ${giveUp}; removing the finalizer`);
    return undefined;
  }
  d.actions.push({ type: 'revertOnDeletion' });
  if (s.target.ready && s.target.replicas > 0) {
    d.actions.push({ type: 'removeFinalizer' });
    d.phase('Terminated', `${s.name}.${s.namespace} serves the apex service again`);
    d.event(
      'Normal',
      'Terminated',
      `Reverted ${d.id}: traffic goes to ${s.spec.targetRef.name} again; removing the finalizer`,
    );
    return undefined;
  }
  d.phase('Terminating', `scaling ${d.id} back up before the Canary is deleted`);
  d.requeue(WAIT_READY_MS);
  return undefined;
}
