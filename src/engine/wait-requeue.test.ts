import { describe, expect, it } from 'vitest';
import { WAIT_READY_MAX_MS, WAIT_READY_MS } from './context.ts';
import { baseSpec, newWorld, runUntil, snapshotOf, planOf } from './testing/world.ts';

const T0 = Date.parse('2026-02-02T08:00:00Z');

/**
 * While a rollout is not ready the engine looks again after a tenth of the time waited so far (2 s to
 * 30 s): the Deployment's watch events wake it anyway, and many Canaries waiting minutes for their pods
 * must not be reconciled every 2 s. The progress deadline is still noticed when it passes.
 */
describe('looking again at a rollout that is not ready', () => {
  function waitingCanary(deadlineSeconds: number) {
    const w = newWorld({ ...baseSpec(), progressDeadlineSeconds: deadlineSeconds });
    const t = runUntil(w, T0, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
    w.targetHash = 'v2';
    w.targetPodsReady = false;
    const start = runUntil(w, t + 1, (x) => x.status.phase === 'Progressing');
    return { w, start };
  }

  it('waits 2 s at first, a tenth of the wait later, and at most 30 s', () => {
    const { w, start } = waitingCanary(600);
    const delayAfter = (ms: number) => planOf(snapshotOf(w), start + ms).requeueAfterMs;
    expect(delayAfter(1_000)).toBe(WAIT_READY_MS);
    expect(delayAfter(19_000)).toBe(WAIT_READY_MS);
    expect(delayAfter(100_000)).toBe(10_000);
    expect(delayAfter(250_000)).toBe(25_000);
    expect(delayAfter(400_000)).toBe(WAIT_READY_MAX_MS);
  });

  it('never looks again later than the progress deadline, and rolls back once it has passed', () => {
    const { w, start } = waitingCanary(120);
    const late = planOf(snapshotOf(w), start + 115_000);
    expect(late.requeueAfterMs).toBe(5_000);
    const past = planOf(snapshotOf(w), start + 115_000 + late.requeueAfterMs! + 1);
    expect(past.status.phase).not.toBe('Progressing');
    expect(past.status.canaryWeight ?? 0).toBe(0);
  });
});
