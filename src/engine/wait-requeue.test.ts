import { describe, expect, it } from 'vitest';
import { WAIT_FIRST_LOOK_MS, WAIT_READY_MAX_MS } from './context.ts';
import { baseSpec, newWorld, runUntil, snapshotOf, planOf } from './testing/world.ts';

const T0 = Date.parse('2026-02-02T08:00:00Z');

/**
 * While a rollout is not ready the engine looks again 30 s after the wait began, then every 2 minutes:
 * the Deployment's watch events wake it when the rollout moves, and many Canaries waiting minutes for
 * their pods must not be reconciled on a timer. The progress deadline is still noticed when it passes.
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

  it('looks 30 s after the wait began, then every 2 minutes, whenever the Canary was last reconciled', () => {
    const { w, start } = waitingCanary(600);
    const delayAfter = (ms: number) => planOf(snapshotOf(w), start + ms).requeueAfterMs;
    expect(delayAfter(1_000)).toBe(WAIT_FIRST_LOOK_MS - 1_000);
    expect(delayAfter(19_000)).toBe(WAIT_FIRST_LOOK_MS - 19_000);
    expect(delayAfter(30_000)).toBe(WAIT_READY_MAX_MS);
    expect(delayAfter(100_000)).toBe(50_000);
    expect(delayAfter(400_000)).toBe(110_000);
  });

  it('a five-minute wait is looked at by the timer at 30, 150 and 270 s, then at 390 s', () => {
    const { w, start } = waitingCanary(600);
    let t = start;
    let looks = 0;
    while (t < start + 300_000) {
      t += planOf(snapshotOf(w), t).requeueAfterMs!;
      looks++;
    }
    expect(looks).toBe(4);
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
