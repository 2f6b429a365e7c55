import type { Decision, NeedChecks } from './context.ts';
import { WAIT_READY_MS } from './context.ts';
import type { OutcomeEvent } from '../api/types.ts';
import type { CheckResult } from './model.ts';
import { startRelease } from './release.ts';
import { maxWeightOf, nextWeight, strategyOf } from './schedule.ts';
import { releaseWindowState } from './windows.ts';
import { recordedRoutes, trafficStarted } from './routes.ts';
import { judgeSplit } from './split.ts';
import { comparedResults, heldForPerson, holdForPerson, judgeStep } from './judge.ts';
import { measurementOf, recordInterval } from './interval-record.ts';
import { sameConfigs } from './status.ts';
import { baselineId, baselineNotReady, runBaseline, stopBaseline } from './baseline.ts';
import { trafficIncreaseGate } from './gates.ts';
import { enterStep, nextLookDue, nextStepIndex, pauseHolds, raisesTraffic } from './steps.ts';

/** A route status change also arrives by watch; this is the fallback. */
const ROUTE_RECHECK_MS = 10_000;

/** Progressing and WaitingPromotion: analysis steps until the canary is promoted or rolled back. */
export function progress(d: Decision): NeedChecks | undefined {
  const { s } = d;
  const status = d.status;
  if (s.target.templateHash !== status.lastAppliedSpec || !sameConfigs(s.configs, status.trackedConfigs)) {
    d.event('Normal', 'Synced', `New revision detected! Restarting analysis for ${d.id}`);
    startRelease(d);
    d.phase('Progressing', 'new revision detected, restarting the analysis');
    d.requeue(WAIT_READY_MS);
    return undefined;
  }
  if (s.requests.abort && s.requests.abort === status.revision) {
    rollback(d, 'aborted by request (kanaria abort)', []);
    return undefined;
  }
  const canaryReplicas = status.canaryReplicas ?? Math.max(s.primary.replicas, 1);
  // With an HPA the autoscaler owns the canary's replicas once it runs; Kanaria only scales it up from 0.
  const autoscaled = Boolean(s.spec.autoscalerRef);
  if (autoscaled ? s.target.replicas === 0 : s.target.replicas !== canaryReplicas)
    d.actions.push({ type: 'scaleTarget', replicas: canaryReplicas });
  runBaseline(d, canaryReplicas);

  const rollbackChecks = d.checks('rollback');
  if (!rollbackChecks) return { need: 'rollback' };
  const manual = rollbackChecks.find((c) => c.ok);
  if (manual) {
    rollback(d, `rollback hook ${manual.name} asked for a rollback`, []);
    return undefined;
  }

  // No weight above 0 until the canary and, with one, its baseline are ready: both sides get traffic together.
  const targetWaits = !s.target.ready || (!autoscaled && s.target.replicas !== canaryReplicas);
  const baselineWaits = baselineNotReady(s, canaryReplicas);
  if (targetWaits || baselineWaits) {
    const [what, reason] = targetWaits
      ? [`canary deployment ${d.id}`, s.target.notReadyReason ?? 'pods not ready']
      : [`baseline deployment ${baselineId(s)}`, baselineWaits!];
    const since = Date.parse(status.waitingSince ?? d.nowIso);
    if (d.now - since > d.deadlineMs) {
      rollback(d, `${what} not ready after progressDeadlineSeconds ${d.deadlineMs / 1000}: ${reason}`, []);
      return undefined;
    }
    status.waitingSince ??= d.nowIso;
    d.waitMessage(
      targetWaits ? `waiting for ${d.id} rollout: ${reason}` : `waiting for ${what} rollout: ${reason}`,
    );
    d.requeueWhileWaiting(since);
    return undefined;
  }
  status.waitingSince = undefined;

  // A route its Gateway has not accepted carries no traffic: no weight (nor header route) goes up until it does.
  if (s.route && !s.route.ready) {
    const message = `waiting for the route to be accepted: ${s.route.message}`;
    if (status.message !== message) d.event('Warning', s.route.reason, `${d.id}: ${message}`);
    status.message = message;
    d.requeue(ROUTE_RECHECK_MS);
    return undefined;
  }

  const weight = status.canaryWeight ?? 0;
  const strategy = strategyOf(s.spec.analysis);
  const started = trafficStarted(status);
  // A/B routes by header/cookie from the moment the release starts taking traffic; the others by weight.
  const routes = recordedRoutes(s.spec, status);
  const routesInForce = (s.routedWeight ?? 0) === routes.weight && routes.match === (s.routedMatch ?? false);
  if (!routesInForce) d.setWeight(routes.weight, routes.match, routes.rules);

  const due = nextLookDue(d);
  if (due !== undefined) {
    if (d.now < due) {
      d.requeue(due - d.now);
      return undefined;
    }
    d.lookDueAtMs = due;
    // A step whose routes never took effect (a crash between the status and the write) has not been
    // analysed at its weight yet: it starts over now that its routes are set.
    if (!routesInForce && (routes.weight > 0 || routes.match)) {
      status.message = `routes of step at weight ${routes.weight} set again; analysing it from now`;
      return d.stepDone();
    }
  }

  if (s.requests.promote && s.requests.promote === status.revision) {
    d.event('Normal', 'Synced', `Promotion of ${d.id} requested: skipping the remaining analysis`);
    return promote(d);
  }

  if (!started) {
    if (d.hasHooks('pre-rollout')) {
      const pre = d.checks('pre-rollout');
      if (!pre) return { need: 'pre-rollout' };
      const failed = pre.filter((c) => !c.ok);
      if (failed.length > 0) {
        for (const f of failed)
          d.event(
            'Warning',
            'Synced',
            `Halt advancement ${d.id}: pre-rollout check ${f.name} failed: ${f.message}`,
          );
        d.alerts.push({
          kind: 'failed',
          severity: 'warn',
          message: `Pre-rollout checks of ${d.id} failed`,
          reason: failed.map((f) => f.message).join('; '),
        });
        return countFailure(d, failed, 'pre-rollout check failed');
      }
      for (const p of pre) d.event('Normal', 'Synced', `Pre-rollout check ${p.name} passed`);
    }
    status.trafficSince = d.nowIso;
    if (strategy === 'ab') {
      // The first check runs one interval after the header route is set, when requests had time to arrive.
      d.setWeight(0, true);
      d.event('Normal', 'Synced', `Routing requests that match the A/B rules to canary ${d.id}`);
      status.message = 'header route set; the first check runs in one interval';
      return d.stepDone();
    }
  }

  // At weight 0 a weighted canary has no traffic to judge yet; iteration strategies analyse from the start;
  // steps from the first that sends the canary requests (a weight or a header route).
  const judging =
    strategy === 'steps' ? routes.weight > 0 || routes.match : weight > 0 || strategy !== 'canary';
  if (judging) {
    const analysis = d.checks('analysis');
    if (!analysis) return { need: 'analysis' };
    const split = judgeSplit(d, analysis);
    const judged = judgeStep(d, analysis);
    recordInterval(d, analysis, judged);
    // A compared metric counts through the judge's score; one whose query failed is a failed check itself.
    const failed = [
      ...analysis.filter((c) => !c.ok && !c.comparison),
      ...(split.verdict === 'halt' ? [split.failed] : []),
      ...(judged?.kind === 'fail' ? [judged.failed, ...comparedResults(analysis).filter((c) => !c.ok)] : []),
    ];
    if (judged?.kind === 'give-up') {
      d.event('Warning', 'Synced', `Halt advancement ${d.id} ${judged.failed.message}`);
      rollback(d, judged.failed.message, [judged.failed]);
      return undefined;
    }
    if (failed.length > 0) {
      const reasons = failed.filter((f) => f.comparison === undefined);
      for (const f of reasons) d.event('Warning', 'Synced', `Halt advancement ${d.id} ${f.message}`);
      return countFailure(d, failed, reasons.map((f) => f.message).join('; '));
    }
    if (judged?.kind === 'wait') {
      d.event('Normal', 'Synced', `Holding ${d.id} at weight ${weight}: ${judged.reason}`);
      status.message = judged.reason;
      return d.stepDone();
    }
    if (split.verdict === 'hold') {
      status.message = split.message;
      return d.stepDone();
    }
    // `kanaria promote` (an approval of this revision) opens this gate like the confirm-* ones.
    const approved = s.requests.approve === s.revision;
    if (!approved && (judged?.kind === 'marginal' || heldForPerson(d)))
      return holdForPerson(d, judged?.judgement.reason);
    if (approved && heldForPerson(d) && status.phase === 'WaitingPromotion')
      d.phase('Progressing', 'marginal score approved by a person (kanaria promote): continuing');
  }

  // Outside its release windows a running release keeps its weight; failed checks still roll it back.
  const window = releaseWindowState(s.spec.analysis.windows, d.now);
  if (!window.open) {
    status.message = `holding at weight ${weight}: ${window.reason}`;
    return d.stepDone();
  }

  if (strategy === 'steps') {
    if (pauseHolds(d)) return d.stepDone();
    const next = nextStepIndex(d);
    if (next !== undefined) {
      if (raisesTraffic(d, next)) {
        const gate = trafficIncreaseGate(d);
        if (gate !== 'open') return gate;
      }
      return enterStep(d, next);
    }
  } else if (strategy === 'canary' && weight < maxWeightOf(s.spec.analysis)) {
    const gate = trafficIncreaseGate(d);
    if (gate !== 'open') return gate;
    const next = nextWeight(weight, s.spec.analysis);
    d.setWeight(next);
    d.event('Normal', 'Synced', `Advance ${d.id} canary weight ${next}`);
    status.message = `canary weight ${next}`;
    return d.stepDone();
  }

  // Blue/Green's extra analysis at weight 100 is not one of its iterations.
  if (strategy === 'ab' || (strategy === 'bluegreen' && weight < 100)) {
    const iterations = (status.iterations ?? 0) + 1;
    status.iterations = iterations;
    if (iterations < (s.spec.analysis.iterations ?? 0)) {
      d.event(
        'Normal',
        'Synced',
        `Advance ${d.id} canary iteration ${iterations}/${s.spec.analysis.iterations}`,
      );
      status.message = `iteration ${iterations}/${s.spec.analysis.iterations}`;
      return d.stepDone();
    }
  }

  const confirm = d.checks('confirm-promotion');
  if (!confirm) return { need: 'confirm-promotion' };
  const closed = confirm.find((c) => !c.ok);
  if (closed) {
    if (status.phase !== 'WaitingPromotion') {
      d.event(
        'Normal',
        'Synced',
        `Confirm-promotion check ${closed.name} failed: waiting for approval to promote ${d.id}`,
      );
      d.alerts.push({
        kind: 'waiting-approval',
        severity: 'info',
        message: `Waiting for approval to promote ${d.id}`,
        reason: closed.message,
      });
    }
    d.phase('WaitingPromotion', `waiting for promotion approval: ${closed.message}`);
    return d.stepDone();
  }
  if (strategy === 'bluegreen' && weight < 100) {
    // Promotion waits for one more passing analysis with all traffic on the canary.
    d.setWeight(100);
    d.event('Normal', 'Synced', `Routing all traffic to canary ${d.id}`);
    status.message = 'all traffic on the canary; promoting after one more passing analysis';
    return d.stepDone();
  }
  return promote(d);
}

function promote(d: Decision): undefined {
  const { s, status } = d;
  d.actions.push({
    type: 'promote',
    templateHash: status.lastAppliedSpec ?? '',
    configs: status.trackedConfigs ?? {},
  });
  d.event('Normal', 'Synced', `Copying ${d.id} template spec to ${s.name}-primary.${s.namespace}`);
  status.lastPromotedSpec = status.lastAppliedSpec;
  status.waitingSince = d.nowIso;
  d.phase('Promoting', `promoting ${d.id}`);
  d.requeue(WAIT_READY_MS);
  return undefined;
}

function countFailure(d: Decision, failed: CheckResult[], reason: string): undefined {
  const count = (d.status.failedChecks ?? 0) + 1;
  d.status.failedChecks = count;
  d.status.message = reason;
  if (count >= d.thresholdCount) {
    rollback(d, reason, failed, [
      {
        type: 'Warning',
        reason: 'Synced',
        message: `Rolling back ${d.id} failed checks threshold reached ${count}`,
      },
    ]);
    return undefined;
  }
  return d.stepDone();
}

/** Traffic back to the primary at once, the canary (and baseline) scaled to zero, the release marked Failed. */
export function rollback(
  d: Decision,
  reason: string,
  failed: CheckResult[],
  before: OutcomeEvent[] = [],
): void {
  d.setWeight(0);
  d.actions.push({ type: 'scaleTarget', replicas: 0 });
  stopBaseline(d);
  d.status.waitingSince = undefined;
  d.status.lastStepTime = undefined;
  d.phase('Failed', reason);
  d.outcome(
    {
      kind: 'rolled-back',
      severity: 'error',
      message: `Canary analysis failed, ${d.id} rolled back`,
      reason,
      measurements: failed.map(measurementOf),
    },
    [
      ...before,
      { type: 'Warning', reason: 'Synced', message: `Canary failed! Scaling down ${d.id}: ${reason}` },
    ],
  );
}
