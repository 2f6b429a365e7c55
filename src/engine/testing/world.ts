import type { CanarySpec, CanaryStatus, HttpMatch } from '../../api/types.ts';
import { decide, isNeed } from '../decide.ts';
import type { Action, CheckResult, CheckResults, CheckStage, EngineEvent, Plan, Snapshot } from '../model.ts';
import { recordedRoutes } from '../routes.ts';

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
  /** The header route's conditions (analysis.steps) while `match` routes by them. */
  rules?: HttpMatch[];
  events: EngineEvent[];
  weights: number[];
  postRolloutRuns: number;
  /** Kinds of the outcomes (promoted, rolled-back) delivered, in order. */
  outcomes: string[];
  /** Every route write with the recorded phase and release it was made under. */
  routeWrites: { weight: number; phase?: string; release?: string }[];
  /** Outcomes the engine recorded for delivery. */
  outcomesRecorded: number;
  primaryConfigs?: string;
  /** Revisions copied to the primary, in order (a repeated copy of the same one is not counted). */
  promotions: string[];
  /** What the caches showed at the previous reconcile (for stale-cache faults). */
  previous?: Partial<World>;
  requests: Snapshot['requests'];
  targetExists?: boolean;
  deletionTimestamp?: string;
  /** Whether the shell could count the data plane's requests (a Prometheus known). */
  splitObservable?: boolean;
  /** Readiness of the route object as a Gateway reports it (absent: a provider that reports none). */
  route?: { ready: boolean; reason: string; message: string };
  /** The baseline Deployment (analysis.judge.baseline): created by the first scaleBaseline. */
  baselineExists: boolean;
  baselineReplicas: number;
  baselinePodsReady: boolean;
  /** The baseline's share of the routed traffic, as the HTTPRoute gives it. */
  baselineWeight: number;
}

/** The plan of a decision that needs no check results (throws if it asks for some). */
export function planOf(s: Snapshot, now: number): Plan {
  const out = decide(s, {}, now);
  if (isNeed(out)) throw new Error(`needs ${out.need}`);
  return out;
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
    outcomes: [],
    routeWrites: [],
    outcomesRecorded: 0,
    promotions: [],
    requests: {},
    baselineExists: false,
    baselineReplicas: 0,
    baselinePodsReady: true,
    baselineWeight: 0,
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
    deleting: w.deletionTimestamp !== undefined,
    deletionTimestamp: w.deletionTimestamp,
    target: {
      exists: w.targetExists ?? true,
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
    ...(w.baselineExists || w.spec.analysis.judge?.baseline
      ? {
          baseline: {
            exists: w.baselineExists,
            replicas: w.baselineReplicas,
            ready: w.baselineExists && w.baselineReplicas > 0 && w.baselinePodsReady,
            readyReplicas: w.baselinePodsReady ? w.baselineReplicas : 0,
            available: w.baselineExists && w.baselineReplicas > 0 && w.baselinePodsReady,
            notReadyReason: w.baselinePodsReady ? undefined : 'pods not ready',
          },
        }
      : {}),
    configs: w.configs,
    revision: revisionOf(w),
    requests: w.requests,
    routedWeight: w.primaryExists ? w.weight : undefined,
    routedMatch: w.match,
    splitObservable: w.splitObservable,
    ...(w.route ? { route: w.route } : {}),
  };
}

export type Checker = (stage: CheckStage) => CheckResult[];
export const allPass: Checker = () => [];

/**
 * What goes wrong in one reconcile, as the shell would meet it: the status write refused (409, so
 * nothing acts), the process killed after the status was recorded and `afterActions` of the writes
 * were made (the infrastructure pass counts as the first), or caches of the other objects that
 * still show the world as it was at the previous reconcile.
 */
export type Fault =
  { kind: 'none' } | { kind: 'conflict' } | { kind: 'crash'; afterActions: number } | { kind: 'staleCache' };

function decideOn(snapshot: Snapshot, now: number, checker: Checker): Plan {
  const results: CheckResults = {};
  let out = decide(snapshot, results, now);
  for (let i = 0; isNeed(out); i++) {
    if (i > 8) throw new Error('decide keeps asking for checks');
    results[out.need] = checker(out.need);
    out = decide(snapshot, results, now);
  }
  return out;
}

function applyAction(w: World, a: Action): void {
  switch (a.type) {
    case 'initPrimary':
      if (!w.primaryExists) {
        w.primaryExists = true;
        w.primaryHash = w.targetHash;
        w.primaryReplicas = Math.max(w.targetReplicas, 1);
        w.promotions.push(revisionOf(w));
      }
      break;
    case 'promote':
      // The shell copies the target only while it still is exactly the analysed revision.
      if (w.targetHash === a.templateHash && JSON.stringify(w.configs) === JSON.stringify(a.configs)) {
        if (w.primaryHash !== w.targetHash || w.primaryConfigs !== JSON.stringify(w.configs))
          w.promotions.push(revisionOf(w));
        w.primaryConfigs = JSON.stringify(w.configs);
        w.primaryHash = w.targetHash;
      }
      break;
    case 'scaleTarget':
      w.targetReplicas = a.replicas;
      break;
    case 'scaleBaseline':
      // The shell builds the baseline from the primary and never creates one only to stop it.
      if (w.primaryExists && (w.baselineExists || a.replicas > 0)) {
        w.baselineExists = true;
        w.baselineReplicas = a.replicas;
      }
      break;
    case 'setWeight':
      setRoutes(w, a.weight, a.match, a.rules);
      break;
    default:
      break;
  }
}

/** The shell's infrastructure pass for the baseline (Applier.keepBaseline): as the recorded phase says. */
function keepBaseline(w: World): void {
  const phase = w.status.phase ?? '';
  if (w.spec.analysis.judge?.baseline !== true) return;
  const runs = phase === 'Progressing' || phase === 'WaitingPromotion';
  const stopped = ['Initialized', 'Waiting', 'Succeeded', 'Failed'].includes(phase);
  if (runs) applyAction(w, { type: 'scaleBaseline', replicas: w.status.canaryReplicas ?? 1 });
  else if (stopped) applyAction(w, { type: 'scaleBaseline', replicas: 0 });
}

function setRoutes(w: World, weight: number, match: boolean, rules?: HttpMatch[]): void {
  if (weight !== w.weight) w.weights.push(weight);
  w.routeWrites.push({ weight, phase: w.status.phase, release: w.status.releaseStartTime });
  w.weight = weight;
  w.match = match;
  w.rules = match ? rules : undefined;
  // The HTTPRoute gives a baseline the canary's weight (primary 100 - 2w), see buildHttpRoute.
  w.baselineWeight =
    w.spec.analysis.judge?.baseline === true && !match && weight > 0 ? Math.min(weight, 100 - weight) : 0;
}

/** `value` with every object in it frozen: a write to it throws (modules run in strict mode). */
function deepFrozen<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFrozen(child);
    Object.freeze(value);
  }
  return value;
}

/** One reconcile as the shell runs it: deliver a pending outcome, or decide, record, then act. */
export function step(
  w: World,
  now: number,
  checker: Checker = allPass,
  fault: Fault = { kind: 'none' },
): Plan {
  const view = fault.kind === 'staleCache' && w.previous ? { ...w, ...w.previous, status: w.status } : w;
  // Frozen: the engine must not change what it decides from (in the operator, the watch caches' objects,
  // which the recorder compares the decided status with).
  const out = decideOn(deepFrozen(structuredClone(snapshotOf(view))), now, checker);
  w.previous = observedParts(w);
  if (fault.kind === 'conflict') return { ...out, actions: [], events: [], requeueAfterMs: 100 };
  if (out.status.pendingOutcome && !w.status.pendingOutcome) w.outcomesRecorded++;
  w.status = out.status;
  const limit = fault.kind === 'crash' ? fault.afterActions : Infinity;
  // The infrastructure pass puts the routes the recorded status implies in place first.
  if (limit >= 1 && w.primaryExists) {
    const routes = recordedRoutes(w.spec, w.status);
    setRoutes(w, routes.weight, routes.match, routes.rules);
    keepBaseline(w);
  }
  out.actions.slice(0, Math.max(0, limit - 1)).forEach((a) => applyAction(w, a));
  if (fault.kind === 'crash') return { ...out, requeueAfterMs: 0 };
  w.events.push(...out.events);
  if (w.status.pendingOutcome) deliver(w);
  return out;
}

function deliver(w: World): void {
  const outcome = w.status.pendingOutcome!;
  w.events.push(...outcome.events);
  w.outcomes.push(...outcome.alerts.map((a) => a.kind));
  if (outcome.postRollout) w.postRolloutRuns++;
  w.status = { ...w.status, pendingOutcome: undefined };
}

function observedParts(w: World): Partial<World> {
  return {
    targetHash: w.targetHash,
    targetReplicas: w.targetReplicas,
    targetPodsReady: w.targetPodsReady,
    primaryExists: w.primaryExists,
    primaryHash: w.primaryHash,
    primaryReplicas: w.primaryReplicas,
    primaryPodsReady: w.primaryPodsReady,
    configs: w.configs,
    weight: w.weight,
    match: w.match,
    baselineExists: w.baselineExists,
    baselineReplicas: w.baselineReplicas,
    baselinePodsReady: w.baselinePodsReady,
  };
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
