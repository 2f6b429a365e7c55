/**
 * What the fault property test (decide.faults.property.test.ts) draws: a Canary's spec and a sequence of
 * operations on its world (reconciles that may meet a fault, pushes, config changes, pods, the data plane,
 * approvals).
 */
import fc from 'fast-check';
import type { CheckStage } from '../model.ts';
import type { Fault } from './world.ts';

export type Op =
  | { op: 'tick'; ms: number; fault: Fault; failing: CheckStage[] }
  | { op: 'push'; bad: boolean }
  | { op: 'config' }
  | { op: 'canaryPods'; ready: boolean }
  | { op: 'dataPlane'; ignoresCanary: boolean }
  | { op: 'quiet'; on: boolean }
  | { op: 'baselinePods'; ready: boolean }
  | { op: 'approve' };

const faultArb: fc.Arbitrary<Fault> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'conflict' as const }) },
  {
    weight: 2,
    arbitrary: fc.integer({ min: 0, max: 4 }).map((n) => ({ kind: 'crash' as const, afterActions: n })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'staleCache' as const }) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      op: fc.constant('tick' as const),
      ms: fc.integer({ min: 0, max: 20_000 }),
      fault: faultArb,
      failing: fc.subarray(['analysis', 'pre-rollout'] as CheckStage[], { maxLength: 1 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('push' as const), bad: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ op: 'config' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('canaryPods' as const), ready: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('dataPlane' as const), ignoresCanary: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('quiet' as const), on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('baselinePods' as const), ready: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ op: 'approve' as const }) },
);
const specArb = fc.record({
  threshold: fc.integer({ min: 1, max: 3 }),
  stepWeight: fc.constantFrom(20, 25, 50),
  maxWeight: fc.constantFrom(50, 100),
  strategy: fc.constantFrom('canary', 'ab', 'bluegreen', 'steps'),
  stepWeightPromotion: fc.constantFrom(undefined, 30),
  observedSplit: fc.boolean(),
  judge: fc.boolean(),
  baseline: fc.boolean(),
});
export const sequenceArb = fc.record({
  spec: specArb,
  ops: fc.array(opArb, { minLength: 1, maxLength: 40 }),
});

export interface Sequence {
  spec: {
    threshold: number;
    stepWeight: number;
    maxWeight: number;
    strategy: string;
    stepWeightPromotion?: number;
    observedSplit: boolean;
    judge: boolean;
    baseline: boolean;
  };
  ops: Op[];
}
