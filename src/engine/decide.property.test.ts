import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckStage } from './model.ts';
import { baseSpec, newWorld, runUntil, step, type Checker } from './testing/world.ts';

const T0 = Date.parse('2026-03-29T00:30:00Z');
const TERMINAL = new Set(['Initialized', 'Succeeded', 'Failed']);

type Op =
  | { op: 'tick'; ms: number; failing: CheckStage[] }
  | { op: 'revision' }
  | { op: 'config' }
  | { op: 'canaryPods'; ready: boolean }
  | { op: 'primaryPods'; ready: boolean };

const stages: CheckStage[] = [
  'pre-rollout',
  'analysis',
  'rollback',
  'confirm-rollout',
  'confirm-traffic-increase',
  'confirm-promotion',
];
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('tick' as const),
      ms: fc.integer({ min: 0, max: 30_000 }),
      failing: fc.subarray(stages),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'revision' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'config' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('canaryPods' as const), ready: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('primaryPods' as const), ready: fc.boolean() }) },
);

const failing =
  (set: CheckStage[]): Checker =>
  (stage) =>
    set.includes(stage)
      ? [
          {
            kind: 'webhook',
            name: `hook-${stage}`,
            ok: stage === 'rollback' ? true : false,
            message: `${stage} failed`,
          },
        ]
      : [];

const hooks = [
  { name: 'pre', type: 'pre-rollout' as const, url: 'http://127.0.0.1:1/' },
  { name: 'load', type: 'rollout' as const, url: 'http://127.0.0.1:1/' },
  { name: 'rb', type: 'rollback' as const, url: 'http://127.0.0.1:1/' },
  { name: 'c1', type: 'confirm-rollout' as const, url: 'http://127.0.0.1:1/' },
  { name: 'c2', type: 'confirm-traffic-increase' as const, url: 'http://127.0.0.1:1/' },
  { name: 'c3', type: 'confirm-promotion' as const, url: 'http://127.0.0.1:1/' },
];

describe('engine properties over random event sequences', () => {
  it('keeps the weight in range, never promotes past the threshold, never routes to a failed canary, always ends', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(10, 20, 25, 33),
        fc.constantFrom(30, 50, 100),
        (ops, threshold, stepWeight, maxWeight) => {
          const w = newWorld(baseSpec({ threshold, stepWeight, maxWeight, webhooks: hooks }));
          let now = T0;
          let version = 1;
          for (const op of ops) {
            if (op.op === 'revision') w.targetHash = `v${++version}`;
            else if (op.op === 'config') w.configs = { 'configmap/app': `c${++version}` };
            else if (op.op === 'canaryPods') w.targetPodsReady = op.ready;
            else if (op.op === 'primaryPods') w.primaryPodsReady = op.ready;
            else {
              now += op.ms;
              const before = { ...w.status };
              const plan = step(w, now, failing(op.failing));
              expect(w.weight).toBeGreaterThanOrEqual(0);
              expect(w.weight).toBeLessThanOrEqual(maxWeight);
              if (plan.actions.some((a) => a.type === 'promote')) {
                expect(before.failedChecks ?? 0).toBeLessThan(threshold);
                expect(w.status.failedChecks ?? 0).toBeLessThan(threshold);
              }
              if (w.status.phase === 'Failed') {
                expect(w.weight).toBe(0);
                expect(w.targetReplicas).toBe(0);
              }
            }
          }
          // Once the world settles (pods ready, gates open, checks passing) every run reaches a terminal phase.
          w.targetPodsReady = true;
          w.primaryPodsReady = true;
          runUntil(
            w,
            now + 1,
            (x) => TERMINAL.has(x.status.phase ?? '') && x.targetReplicas === 0,
            () => [],
            400,
          );
          expect(w.weight).toBe(0);
          expect(w.targetReplicas).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
