/** Types of `analysis.steps`: a release written as an ordered list of weights, header routes and pauses. */
import type { HttpMatch } from './types.ts';

/** Header or cookie conditions that send matching requests to the canary; no match removes the route. */
export interface HeaderRouteStep {
  match?: HttpMatch[];
}

/** A pause: for `duration`, or (no duration) until the release is approved for this revision. */
export interface PauseStep {
  duration?: string;
}

/** One step; exactly one of setWeight, setHeaderRoute and pause. */
export interface ReleaseStep {
  /** The canary's share of the requests that match no header route, 0-100. */
  setWeight?: number;
  setHeaderRoute?: HeaderRouteStep;
  pause?: PauseStep;
  /** How long a weight or header step is analysed, and how often a pause runs the checks; default analysis.interval. */
  interval?: string;
}

/** Who made the last decision about the current release (an approval or a rollback request), and how. */
export interface DecisionStatus {
  decision: 'approve' | 'rollback';
  revision: string;
  by: string;
  via: string;
  at: string;
}

/** The highest weight any step sets (0 when none does). */
export function topStepWeight(steps: ReleaseStep[]): number {
  return Math.max(0, ...steps.map((step) => (typeof step?.setWeight === 'number' ? step.setWeight : 0)));
}

/** What `openPauseSince` needs of a Canary. */
export interface PausedCanaryView {
  spec: { analysis: { steps?: ReleaseStep[] } };
  status?: { phase?: string; currentStep?: number; stepStartTime?: string };
}

/**
 * When the open pause (a pause step without a duration) that the running release waits at began;
 * undefined when the release is not at one. Each open pause needs an approval made while it waits.
 */
export function openPauseSince(canary: PausedCanaryView): string | undefined {
  const status = canary.status;
  if (status?.phase !== 'Progressing' && status?.phase !== 'WaitingPromotion') return undefined;
  if (status.currentStep === undefined) return undefined;
  const step = canary.spec.analysis.steps?.[status.currentStep];
  if (!step?.pause || step.pause.duration) return undefined;
  return status.stepStartTime;
}

/**
 * Whether an approval made at `at` opens the open pause that began at `since`: one made before the pause
 * began was for an earlier gate; one of unknown time (an annotation written by hand) counts.
 */
export function approvalOpensPause(at: string | undefined, since: string | undefined): boolean {
  return at === undefined || since === undefined || !(Date.parse(at) < Date.parse(since));
}
