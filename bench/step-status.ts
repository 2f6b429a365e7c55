import { ATOMIC_GROUP, PLAIN_GROUP } from './crd-copies.ts';

/**
 * The status a Canary of the benchmark carries at a weight step, as the operator writes it (the shape
 * of one read from a run of `npm run bench`: three conditions, hashes, times), for write-cost.ts.
 * `lean` leaves out what the conditions repeat (lastUpdateTime, the Promoted condition's generation),
 * to measure what a smaller status would save the API server.
 */
export function stepStatus(i: number, weight: number, now: Date, lean = false) {
  const at = (msAgo: number) => new Date(now.getTime() - msAgo).toISOString();
  const hash = (salt: string) => `${salt}${String(i).padStart(4, '0')}c221ecca50d`.slice(0, 16);
  const message = `canary weight ${weight}`;
  const condition = (
    type: string,
    status: string,
    reason: string,
    text: string,
    changedMsAgo: number,
    updatedMsAgo: number,
    generation?: number,
  ) => ({
    type,
    status,
    reason,
    message: text,
    lastTransitionTime: at(changedMsAgo),
    ...(lean ? {} : { lastUpdateTime: at(updatedMsAgo) }),
    ...(generation !== undefined && !lean ? { observedGeneration: generation } : {}),
  });
  return {
    canaryReplicas: 1,
    canaryWeight: weight,
    conditions: [
      condition('Ready', 'True', 'Reconciled', 'all objects are in place', 60_000, 60_000),
      condition('Promoted', 'Unknown', 'Progressing', message, 30_000, 0, 1),
      condition('Initialized', 'True', 'PrimaryReady', `app-${i}-primary.writes is ready`, 50_000, 50_000),
    ],
    failedChecks: 0,
    iterations: 0,
    lastAppliedSpec: hash('d8f5'),
    lastPromotedSpec: hash('40e6'),
    lastStepTime: now.toISOString(),
    lastTransitionTime: at(30_000),
    message,
    observedGeneration: 1,
    phase: 'Progressing',
    previousWeight: Math.max(0, weight - 20),
    promotedConfigs: {},
    releaseStartTime: at(30_000),
    revision: hash('508a'),
    trackedConfigs: {},
    trafficSince: at(25_000),
  };
}

/** What a status variant writes at `weight`; `first` is the write that gives a new Canary its status. */
type StatusBody = (i: number, weight: number, now: Date, first: boolean) => object;
const smallStatus: StatusBody = (_i, weight, now) => ({
  phase: 'Progressing',
  canaryWeight: weight,
  lastStepTime: now.toISOString(),
});
const fullStatus: StatusBody = (i, weight, now) => stepStatus(i, weight, now);
const stepChanges: StatusBody = (i, weight, now, first) => {
  const whole = stepStatus(i, weight, now);
  if (first) return whole;
  const { canaryWeight, previousWeight, lastStepTime, message, conditions } = whole;
  return { canaryWeight, previousWeight, lastStepTime, message, conditions };
};

/** The Canary each status variant writes to (its own, so it carries only that variant's status). */
export const STATUS_TARGETS = {
  'status-merge': { group: 'kanaria.dev', suffix: '', body: smallStatus },
  'status-plain': { group: PLAIN_GROUP, suffix: '', body: smallStatus },
  'status-full': { group: 'kanaria.dev', suffix: '-full', body: fullStatus },
  'status-lean': { group: 'kanaria.dev', suffix: '-lean', body: (i, w, now) => stepStatus(i, w, now, true) },
  'status-delta': { group: 'kanaria.dev', suffix: '-delta', body: stepChanges },
  'status-atomic': { group: ATOMIC_GROUP, suffix: '-atomic', body: fullStatus },
} as const satisfies Record<string, { group: string; suffix: string; body: StatusBody }>;
export type StatusVariant = keyof typeof STATUS_TARGETS;
