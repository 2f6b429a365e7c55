import type { Canary, CanaryStatus } from '../api/types.ts';
import type { OperatorMetrics } from '../observability/metrics.ts';

const FINISHED = new Set(['Succeeded', 'Failed']);

/** Feeds the operator's Prometheus series from the statuses the reconciler records. */
export function observeStatus(metrics: OperatorMetrics, clock: () => number) {
  return (canary: Canary, status: CanaryStatus, previous: CanaryStatus) => {
    const { name, namespace } = canary.metadata;
    if (status.phase)
      metrics.recordStatus(
        name,
        namespace!,
        status.phase,
        status.canaryWeight ?? 0,
        status.failedChecks ?? 0,
      );
    if (
      status.phase &&
      FINISHED.has(status.phase) &&
      previous.phase !== status.phase &&
      status.releaseStartTime
    ) {
      const seconds = (clock() - Date.parse(status.releaseStartTime)) / 1000;
      metrics.releaseFinished(
        name,
        namespace!,
        status.phase === 'Succeeded' ? 'succeeded' : 'failed',
        seconds,
      );
    }
  };
}
