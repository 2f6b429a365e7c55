import type { CanarySpec, CanaryStatus } from '../../api/types.ts';
import { decide, isNeed } from '../decide.ts';
import type { CheckResult, CheckResults, CheckStage, EngineEvent, Plan, Snapshot } from '../model.ts';

/**
 * A simulation of the cluster for engine tests: plain objects standing in for the target, the primary and
 * the canary Ingress, changed only by applying the engine's actions. Pods become ready at once unless a
 * test says otherwise.
 */
export interface World {
  spec: CanarySpec;
  status: CanaryStatus;
  targetHash: string;
  targetReplicas: number;
  targetPodsReady: boolean;
  primaryExists: boolean;
  primaryHash?: string;
  primaryReplicas: number;
  primaryPodsReady: boolean;
  /** Whether the primary has some ready pods even while its rollout is not done (default: primaryPodsReady). */
  primaryAvailable?: boolean;
  configs: Record<string, string>;
  weight: number;
  match: boolean;
  events: EngineEvent[];
  weights: number[];
  postRolloutRuns: number;
  requests: { approve?: string; abort?: string; promote?: string };
}

export function newWorld(spec: CanarySpec, replicas = 2): World {
  return {
    spec,
    status: {},
    targetHash: 'v1',
    targetReplicas: replicas,
    targetPodsReady: true,
    primaryExists: false,
    primaryReplicas: 0,
    primaryPodsReady: true,
    configs: {},
    weight: 0,
    match: false,
    events: [],
    weights: [],
    postRolloutRuns: 0,
    requests: {},
  };
}

export function revisionOf(w: World): string {
  return `${w.targetHash}/${JSON.stringify(w.configs)}`;
}

export function snapshotOf(w: World): Snapshot {
  return {
    name: 'podinfo',
    namespace: 'test',
    generation: 1,
    spec: w.spec,
    status: w.status,
    deleting: false,
    target: {
      exists: true,
      replicas: w.targetReplicas,
      templateHash: w.targetHash,
      ready: w.targetReplicas > 0 && w.targetPodsReady,
      readyReplicas: w.targetPodsReady ? w.targetReplicas : 0,
      available: w.targetPodsReady && w.targetReplicas > 0,
      notReadyReason: w.targetPodsReady ? undefined : 'pods not ready',
    },
    primary: {
      exists: w.primaryExists,
      replicas: w.primaryReplicas,
      templateHash: w.primaryHash,
      ready: w.primaryExists && w.primaryPodsReady,
      readyReplicas: w.primaryPodsReady ? w.primaryReplicas : 0,
      available: w.primaryExists && (w.primaryAvailable ?? w.primaryPodsReady),
    },
    configs: w.configs,
    revision: revisionOf(w),
    requests: w.requests,
    routedWeight: w.primaryExists ? w.weight : undefined,
    routedMatch: w.match,
  };
}

export type Checker = (stage: CheckStage) => CheckResult[];
export const allPass: Checker = () => [];

/** One reconcile: decide (answering its check requests with `checker`), then apply the plan to the world. */
export function step(w: World, now: number, checker: Checker = allPass): Plan {
  const results: CheckResults = {};
  let out = decide(snapshotOf(w), results, now);
  for (let i = 0; isNeed(out); i++) {
    if (i > 8) throw new Error('decide keeps asking for checks');
    results[out.need] = checker(out.need);
    out = decide(snapshotOf(w), results, now);
  }
  for (const a of out.actions) {
    switch (a.type) {
      case 'initPrimary':
        if (!w.primaryExists) {
          w.primaryExists = true;
          w.primaryHash = w.targetHash;
          w.primaryReplicas = Math.max(w.targetReplicas, 1);
        }
        break;
      case 'promote':
        w.primaryHash = w.targetHash;
        break;
      case 'scaleTarget':
        w.targetReplicas = a.replicas;
        break;
      case 'setWeight':
        if (a.weight !== w.weight) w.weights.push(a.weight);
        w.weight = a.weight;
        w.match = a.match;
        break;
      case 'runHooks':
        w.postRolloutRuns++;
        break;
      default:
        break;
    }
  }
  w.status = out.status;
  w.events.push(...out.events);
  return out;
}

/** Reconciles at each requeue time until `until` returns true or `limit` reconciles ran. */
export function runUntil(
  w: World,
  start: number,
  until: (w: World) => boolean,
  checker: Checker = allPass,
  limit = 200,
): number {
  let now = start;
  for (let i = 0; i < limit; i++) {
    const plan = step(w, now, checker);
    if (until(w)) return now;
    now += plan.requeueAfterMs ?? 1000;
  }
  throw new Error(`condition not reached after ${limit} reconciles; phase ${w.status.phase}`);
}

export function baseSpec(overrides: Partial<CanarySpec['analysis']> = {}): CanarySpec {
  return {
    provider: 'nginx',
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
    ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'podinfo' },
    service: { port: 80, targetPort: 9898 },
    progressDeadlineSeconds: 60,
    analysis: { interval: '10s', threshold: 2, maxWeight: 50, stepWeight: 10, ...overrides },
  };
}
