/**
 * The baseline of analysis.judge.baseline: a second copy of the running version, started with the canary at
 * its size so that the judge compares pods of the same age and load. It runs only while a release analyses
 * (Progressing, WaitingPromotion) and until the release ends; everything here follows the recorded phase and
 * the live Deployment, so a crash at any point is repaired by the next reconcile.
 */
import type { CanarySpec } from '../api/types.ts';
import type { Decision } from './context.ts';
import type { Snapshot } from './model.ts';

export function baselineWanted(spec: CanarySpec): boolean {
  return spec.analysis.judge?.baseline === true;
}

export function baselineId(s: Snapshot): string {
  return `${s.spec.targetRef.name}-baseline.${s.namespace}`;
}

function scaleBaseline(d: Decision, replicas: number): void {
  d.actions = d.actions.filter((a) => a.type !== 'scaleBaseline');
  d.actions.push({ type: 'scaleBaseline', replicas });
}

/** While a release analyses: the baseline at the canary's size (or stopped, when the Canary no longer asks for one). */
export function runBaseline(d: Decision, replicas: number): void {
  const live = d.s.baseline;
  if (!baselineWanted(d.s.spec)) return stopBaseline(d);
  if (!live?.exists || live.replicas !== replicas) scaleBaseline(d, replicas);
}

/** No release analyses: the baseline runs no pods. */
export function stopBaseline(d: Decision): void {
  const live = d.s.baseline;
  if (live?.exists && live.replicas !== 0) scaleBaseline(d, 0);
}

/** Why the baseline cannot take traffic yet; undefined when it can or the Canary has none. */
export function baselineNotReady(s: Snapshot, replicas: number): string | undefined {
  if (!baselineWanted(s.spec)) return undefined;
  const live = s.baseline;
  if (!live?.exists) return 'not created yet';
  if (live.replicas !== replicas) return `scaling to ${replicas} replicas`;
  if (!live.ready) return live.notReadyReason ?? 'pods not ready';
  return undefined;
}
