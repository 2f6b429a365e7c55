/** The releases of a run, decided up front from the seed: kinds, image tags and which tags are bad. */
import type { Rng } from './rng.ts';
import { RELEASE_KINDS, type Outcome, type ReleaseKind, type ReleasePlan } from './types.ts';

/** Short steps and small thresholds, so that a release takes seconds when nothing gets in the way. */
export const ANALYSIS = { interval: '1s', threshold: 2, stepWeight: 20, maxWeight: 60 } as const;

/** The tag every app starts with; the primary gets it at initialisation, without analysis. */
export const INITIAL_TAG = '6.0.0';

/**
 * `count` releases whose kinds come in shuffled rounds of all five, so that every kind appears about
 * `count / 5` times. A push-while-promoting release pushes a second tag that is bad one time in three
 * (failed by the webhook or by the metric).
 */
export function planReleases(count: number, rng: Rng): ReleasePlan[] {
  const kinds: ReleaseKind[] = [];
  while (kinds.length < count) kinds.push(...rng.shuffle(RELEASE_KINDS));
  return kinds.slice(0, count).map((kind, id): ReleasePlan => {
    const tag = `r${id}`;
    const plan: ReleasePlan = { id, kind, tags: [tag], webhookBad: [], metricBad: [] };
    switch (kind) {
      case 'webhook-fails':
        plan.webhookBad.push(tag);
        break;
      case 'metric-fails':
        plan.metricBad.push(tag);
        break;
      case 'abort':
        plan.abortAtWeight = rng.pick([20, 40, 60]);
        break;
      case 'push-while-promoting': {
        const pushed = `${tag}-pushed`;
        plan.tags.push(pushed);
        const bad = rng.int(0, 5);
        if (bad === 0) plan.webhookBad.push(pushed);
        if (bad === 1) plan.metricBad.push(pushed);
        break;
      }
      case 'healthy':
        break;
    }
    return plan;
  });
}

/** How a release must end: Failed when its last tag is bad or it was aborted in time, else Succeeded. */
export function expectedOutcome(plan: ReleasePlan, aborted: boolean): Outcome {
  const last = plan.tags[plan.tags.length - 1];
  if (plan.webhookBad.includes(last) || plan.metricBad.includes(last)) return 'Failed';
  return aborted ? 'Failed' : 'Succeeded';
}
