import type { CanarySpec, CanaryStatus } from '../api/types.ts';
import type { HttpMatch } from '../api/types.ts';
import { strategyOf } from './schedule.ts';
import { releaseSteps, routesAtStep } from './steps.ts';

const ROUTED_PHASES = new Set(['Progressing', 'WaitingPromotion', 'Promoting', 'Finalising']);

/** Whether the release has begun to send traffic (or header routes) to the canary. */
export function trafficStarted(status: CanaryStatus): boolean {
  // Releases recorded before trafficSince existed count as started once they had weight or iterations.
  return Boolean(status.trafficSince) || (status.canaryWeight ?? 0) > 0 || (status.iterations ?? 0) > 0;
}

/**
 * The routes the recorded status puts in force. The engine and the shell both follow this one rule,
 * so a route that differs from it (a crash before the write, a hand edit) is put back.
 */
export function recordedRoutes(
  spec: CanarySpec,
  status: CanaryStatus,
): { weight: number; match: boolean; rules?: HttpMatch[] } {
  if (!ROUTED_PHASES.has(status.phase ?? '')) return { weight: 0, match: false };
  const headersInForce = status.phase !== 'Finalising' && trafficStarted(status);
  const steps = releaseSteps(spec.analysis);
  if (steps) {
    // analysis.steps: the header route of the recorded step, beside its weight.
    const header = headersInForce ? routesAtStep(steps, status.currentStep).header : undefined;
    return header
      ? { weight: status.canaryWeight ?? 0, match: true, rules: header }
      : { weight: status.canaryWeight ?? 0, match: false };
  }
  const match = strategyOf(spec.analysis) === 'ab' && headersInForce;
  return { weight: status.canaryWeight ?? 0, match };
}
