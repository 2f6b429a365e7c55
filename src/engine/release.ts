import { runBaseline } from './baseline.ts';
import type { Decision } from './context.ts';

/** A new release: the canary (and its baseline) scaled up at weight 0 with fresh counters. */
export function startRelease(d: Decision): void {
  const { s } = d;
  const wanted = s.target.replicas > 0 ? s.target.replicas : Math.max(s.primary.replicas, 1);
  const replicas = Math.max(wanted, s.autoscalerMinReplicas ?? 1);
  d.status = {
    ...d.status,
    canaryWeight: 0,
    failedChecks: 0,
    iterations: 0,
    lastAppliedSpec: s.target.templateHash,
    revision: s.revision,
    releaseStartTime: d.nowIso,
    trackedConfigs: s.configs,
    canaryReplicas: replicas,
    waitingSince: d.nowIso,
    lastStepTime: undefined,
    trafficSince: undefined,
    previousWeight: undefined,
    observedSplit: undefined,
    analysis: undefined,
    currentStep: undefined,
    stepStartTime: undefined,
    lastDecision: undefined,
  };
  d.actions.push({ type: 'scaleTarget', replicas });
  // A release that skips the analysis has nothing to compare.
  if (!s.spec.skipAnalysis) runBaseline(d, replicas);
  if ((s.routedWeight ?? 0) !== 0) d.setWeight(0);
}
