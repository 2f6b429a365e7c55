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
