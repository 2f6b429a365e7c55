import { describe, expect, it } from 'vitest';
import { baseSpec, newWorld, runUntil, step, type Checker } from './testing/world.ts';

const T0 = Date.parse('2026-11-23T08:00:00Z'); // Monday 08:00 UTC, outside a 09:00-17:00 window

/**
 * Initialisation scales the target to 0 one reconcile after it records Initialized (once the apex Service
 * is on the primary). A push that lands before that reconcile must not leave the new revision running
 * while the release waits for its window or its confirm-rollout approval.
 */
describe('a release waiting to start runs no pods of the new revision', () => {
  function pushedRightAfterInitialisation(spec: ReturnType<typeof baseSpec>) {
    const w = newWorld(spec);
    const t = runUntil(w, T0, (x) => x.status.phase === 'Initialized');
    expect(w.targetReplicas).toBe(2); // not scaled down yet
    w.targetHash = 'v2';
    return { w, t };
  }

  it('outside its release window', () => {
    const { w, t } = pushedRightAfterInitialisation(
      baseSpec({ windows: [{ schedule: '0 9 * * *', duration: '8h', timeZone: 'UTC' }] }),
    );
    step(w, t + 100);
    expect(w.status.phase).toBe('Waiting');
    expect(w.targetReplicas).toBe(0);
  });

  it('before its confirm-rollout approval', () => {
    const { w, t } = pushedRightAfterInitialisation(
      baseSpec({ webhooks: [{ name: 'gate', type: 'confirm-rollout', url: 'http://127.0.0.1:1/' }] }),
    );
    const closed: Checker = (stage) =>
      stage === 'confirm-rollout' ? [{ kind: 'webhook', name: 'gate', ok: false, message: 'closed' }] : [];
    step(w, t + 100, closed);
    expect(w.status.phase).toBe('Waiting');
    expect(w.targetReplicas).toBe(0);
  });
});
