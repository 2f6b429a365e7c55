import type { CanarySpec, CanaryStatus } from '../api/types.ts';
import { strategyOf } from './schedule.ts';

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
export function recordedRoutes(spec: CanarySpec, status: CanaryStatus): { weight: number; match: boolean } {
  if (!ROUTED_PHASES.has(status.phase ?? '')) return { weight: 0, match: false };
  const match = strategyOf(spec.analysis) === 'ab' && status.phase !== 'Finalising' && trafficStarted(status);
  return { weight: status.canaryWeight ?? 0, match };
}
