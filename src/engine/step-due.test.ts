import { describe, expect, it } from 'vitest';
import type { CheckResult, Plan } from './model.ts';
import { allPass, baseSpec, newWorld, runUntil, step, type Checker } from './testing/world.ts';

const T0 = Date.parse('2026-02-02T08:00:00Z');
const LOAD_TEST = { name: 'load-test', url: 'http://127.0.0.1:1/' };

/** The plan says when a weight step was due, so the shell can measure how late its routes went out. */
describe('when a weight step was due', () => {
  /** A release at its first step (weight 10), with the plan of the decision that took it. */
  function atFirstStep() {
    const w = newWorld(baseSpec({ interval: '10s', webhooks: [LOAD_TEST] }));
    const t = runUntil(w, T0, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
    w.targetHash = 'v2';
    let first: Plan | undefined;
    let now = t + 1;
    while (w.weight !== 10) {
      first = step(w, now, allPass);
      now += first.requeueAfterMs ?? 1000;
    }
    return { w, first: first!, lastStep: Date.parse(w.status.lastStepTime!) };
  }

  it('is the last step plus the interval on the decision that raises the weight, however late it runs', () => {
    const { w, lastStep } = atFirstStep();
    const plan = step(w, lastStep + 10_000 + 1_234);
    expect(w.weight).toBe(20);
    expect(plan.stepDueAtMs).toBe(lastStep + 10_000);
    const next = step(w, lastStep + 10_000 + 1_234 + 10_000);
    expect(w.weight).toBe(30);
    expect(next.stepDueAtMs).toBe(lastStep + 10_000 + 1_234 + 10_000);
  });

  it('is absent on the first step, before a step is due, and when a failed check holds the weight', () => {
    const { w, first, lastStep } = atFirstStep();
    expect(first.stepDueAtMs).toBeUndefined();
    expect(step(w, lastStep + 5_000).stepDueAtMs).toBeUndefined();
    const failing: Checker = (): CheckResult[] => [
      { kind: 'webhook', name: 'load-test', ok: false, message: '500' },
    ];
    const held = step(w, lastStep + 10_000, failing);
    expect(w.weight).toBe(10);
    expect(held.status.failedChecks).toBe(1);
    expect(held.stepDueAtMs).toBeUndefined();
  });
});
