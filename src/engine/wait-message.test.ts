import { describe, expect, it } from 'vitest';
import { stableJson } from '../resources/hash.ts';
import { WAIT_MESSAGE_MS } from './context.ts';
import { baseSpec, newWorld, runUntil, snapshotOf, step, planOf } from './testing/world.ts';

const T0 = Date.parse('2026-02-02T08:00:00Z');

/** A wait for a rollout writes its changing reason only once it has lasted WAIT_MESSAGE_MS. */
describe('messages of a wait for a rollout', () => {
  it('a quick canary rollout costs no status write per passing state; a slow one says why it waits', () => {
    const w = newWorld(baseSpec());
    const t = runUntil(w, T0, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
    w.targetHash = 'v2';
    w.targetPodsReady = false;
    const start = runUntil(w, t + 1, (x) => x.status.phase === 'Progressing');
    const recorded = w.status;
    expect(recorded.message).toBe('new revision detected, starting the analysis');
    for (const [after, reason] of [
      [100, 'rollout not observed yet'],
      [1000, '0 of 2 updated replicas are available'],
      [WAIT_MESSAGE_MS - 1, '1 of 2 updated replicas are available'],
    ] as const) {
      const s = snapshotOf(w);
      const plan = planOf({ ...s, target: { ...s.target, notReadyReason: reason } }, start + after);
      // The status the recorder would write is the one recorded: no write.
      expect(stableJson(plan.status)).toBe(stableJson(recorded));
      expect(plan.actions).toEqual([]);
    }
    const s = snapshotOf(w);
    const late = planOf(
      { ...s, target: { ...s.target, notReadyReason: '1 of 2 updated replicas are available' } },
      start + WAIT_MESSAGE_MS,
    );
    expect(late.status.message).toBe(
      'waiting for podinfo.test rollout: 1 of 2 updated replicas are available',
    );
    // Recorded; the next change of reason waits WAIT_MESSAGE_MS from that write.
    w.status = late.status;
    const now = snapshotOf(w);
    const after = (ms: number) =>
      planOf(
        { ...now, target: { ...now.target, notReadyReason: '2 old replicas are pending termination' } },
        ms,
      );
    expect(stableJson(after(start + 2 * WAIT_MESSAGE_MS - 1).status)).toBe(stableJson(late.status));
    expect(after(start + 2 * WAIT_MESSAGE_MS).status.message).toMatch(
      /2 old replicas are pending termination$/,
    );
  });

  it('a wait that starts mid-release says why in the write that starts it', () => {
    const w = newWorld(baseSpec());
    const t = runUntil(w, T0, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
    w.targetHash = 'v2';
    const now = runUntil(w, t + 1, (x) => (x.status.canaryWeight ?? 0) > 0);
    expect(w.status.waitingSince).toBeUndefined();
    w.targetPodsReady = false;
    step(w, now + 100);
    expect(w.status.waitingSince).toBeDefined();
    expect(w.status.message).toBe('waiting for podinfo.test rollout: pods not ready');
  });

  it('a quick primary rollout at promotion costs no status write until it is done', () => {
    const w = newWorld(baseSpec());
    const t = runUntil(w, T0, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
    w.targetHash = 'v2';
    const now = runUntil(w, t + 1, (x) => x.status.phase === 'Promoting');
    w.primaryPodsReady = false;
    const recorded = w.status;
    expect(stableJson(planOf(snapshotOf(w), now + 1000).status)).toBe(stableJson(recorded));
    expect(planOf(snapshotOf(w), now + WAIT_MESSAGE_MS).status.message).toMatch(
      /^waiting for podinfo-primary/,
    );
  });
});
