import { describe, expect, it } from 'vitest';
import type { CheckResult, CheckStage } from './model.ts';
import { allPass, baseSpec, newWorld, runUntil, step, type Checker } from './testing/world.ts';

const T0 = Date.parse('2026-01-05T10:00:00Z');
const fail =
  (stage: CheckStage, message = 'webhook load-test failed: 500 Internal Server Error'): Checker =>
  (s) =>
    s === stage ? [{ kind: 'webhook', name: 'load-test', ok: false, message } satisfies CheckResult] : [];

const loadTest = { name: 'load-test', type: 'rollout' as const, url: 'http://127.0.0.1:1/' };

function initialised() {
  const w = newWorld(baseSpec({ webhooks: [loadTest] }));
  const t = runUntil(w, T0, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
  return { w, t };
}

describe('initialisation', () => {
  it('creates the primary, scales the target to zero and records the promoted spec', () => {
    const { w } = initialised();
    expect(w.primaryExists).toBe(true);
    expect(w.primaryReplicas).toBe(2);
    expect(w.targetReplicas).toBe(0);
    expect(w.status).toMatchObject({ canaryWeight: 0, lastAppliedSpec: 'v1', lastPromotedSpec: 'v1' });
    expect(w.events.map((e) => e.message)).toContain('Initialization done! podinfo.test');
  });

  it('waits for the primary to be ready before scaling the target down', () => {
    const w = newWorld(baseSpec());
    w.primaryPodsReady = false;
    step(w, T0);
    step(w, T0 + 2000);
    expect(w.status.phase).toBe('Initializing');
    expect(w.targetReplicas).toBe(2);
  });
});

describe('release', () => {
  it('steps the weight 10..50, promotes and scales the canary down', () => {
    const { w, t } = initialised();
    w.targetHash = 'v2';
    const end = runUntil(w, t + 1000, (x) => x.status.phase === 'Succeeded');
    expect(w.weights).toEqual([10, 20, 30, 40, 50, 0]);
    expect(w.primaryHash).toBe('v2');
    expect(w.targetReplicas).toBe(0);
    expect(w.postRolloutRuns).toBe(1);
    // 5 steps of 10s and one more interval at the top before promotion.
    expect(end - t).toBeLessThanOrEqual(5 * 10_000 + 10_000 + 5_000);
    const messages = w.events.map((e) => e.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'New revision detected! Scaling up podinfo.test',
        'Advance podinfo.test canary weight 10',
        'Advance podinfo.test canary weight 50',
        'Copying podinfo.test template spec to podinfo-primary.test',
        'Promotion completed! Scaling down podinfo.test',
      ]),
    );
    expect(messages.indexOf('Advance podinfo.test canary weight 10')).toBeLessThan(
      messages.indexOf('Advance podinfo.test canary weight 20'),
    );
  });

  it('uses stepWeights when given', () => {
    const w = newWorld(baseSpec({ stepWeights: [1, 10, 60], stepWeight: undefined, maxWeight: undefined }));
    const t = runUntil(w, T0, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
    w.targetHash = 'v2';
    runUntil(w, t + 1, (x) => x.status.phase === 'Succeeded');
    expect(w.weights).toEqual([1, 10, 60, 0]);
  });

  it('rolls back after exactly `threshold` failed checks and leaves the primary alone', () => {
    const { w, t } = initialised();
    w.targetHash = 'v2';
    runUntil(
      w,
      t + 1,
      (x) => x.status.phase === 'Failed',
      (stage) => fail('analysis')(stage),
    );
    expect(w.status.failedChecks).toBe(2);
    expect(w.weight).toBe(0);
    expect(w.targetReplicas).toBe(0);
    expect(w.primaryHash).toBe('v1');
    expect(w.events.filter((e) => e.message.startsWith('Halt advancement'))).toHaveLength(2);
    expect(w.status.message).toContain('500');
  });

  it('counts failed pre-rollout checks and never sends traffic when they fail', () => {
    const w = newWorld(
      baseSpec({ webhooks: [{ name: 'acceptance', type: 'pre-rollout', url: 'http://127.0.0.1:1/' }] }),
    );
    const t = runUntil(w, T0, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
    w.targetHash = 'v2';
    runUntil(w, t + 1, (x) => x.status.phase === 'Failed', fail('pre-rollout'));
    expect(w.weights).toEqual([]);
  });

  it('starts nothing when the target is reverted to the promoted spec', () => {
    const { w, t } = initialised();
    w.targetHash = 'v2';
    runUntil(w, t + 1, (x) => x.status.phase === 'Failed', fail('analysis'));
    w.targetHash = 'v1';
    step(w, t + 100_000);
    step(w, t + 200_000);
    expect(w.status.phase).toBe('Failed');
    expect(w.targetReplicas).toBe(0);
    w.targetHash = 'v3';
    step(w, t + 300_000);
    expect(w.status.phase).toBe('Progressing');
  });

  it('restarts the analysis at weight 0 when a new revision arrives mid-release', () => {
    const { w, t } = initialised();
    w.targetHash = 'v2';
    const mid = runUntil(w, t + 1, (x) => (x.status.canaryWeight ?? 0) === 30);
    w.targetHash = 'v3';
    step(w, mid + 10_000);
    expect(w.status.canaryWeight).toBe(0);
    expect(w.status.lastAppliedSpec).toBe('v3');
    runUntil(w, mid + 10_001, (x) => x.status.phase === 'Succeeded');
    expect(w.primaryHash).toBe('v3');
  });

  it('starts a release when only a tracked config changes', () => {
    const w = newWorld(baseSpec());
    w.configs = { 'configmap/podinfo-config': 'a' };
    const t = runUntil(w, T0, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
    w.configs = { 'configmap/podinfo-config': 'b' };
    runUntil(w, t + 1, (x) => x.status.phase === 'Succeeded');
    expect(w.status.promotedConfigs).toEqual({ 'configmap/podinfo-config': 'b' });
  });

  it('rolls back a canary that never becomes ready once the progress deadline passes', () => {
    const { w, t } = initialised();
    w.targetHash = 'v2';
    w.targetPodsReady = false;
    const end = runUntil(w, t + 1, (x) => x.status.phase === 'Failed');
    expect(end - t).toBeGreaterThanOrEqual(60_000);
    expect(w.status.message).toContain('progressDeadlineSeconds');
    expect(w.weights).toEqual([]);
  });
});

describe('gates', () => {
  it('holds a release in Waiting while confirm-rollout is closed, without counting failures', () => {
    const spec = baseSpec({
      webhooks: [{ name: 'gate', type: 'confirm-rollout', url: 'http://127.0.0.1:1/' }],
    });
    const w = newWorld(spec);
    const t = runUntil(w, T0, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
    w.targetHash = 'v2';
    let now = t + 1;
    for (let i = 0; i < 5; i++, now += 10_000) step(w, now, fail('confirm-rollout', 'gate closed'));
    expect(w.status.phase).toBe('Waiting');
    expect(w.status.failedChecks ?? 0).toBe(0);
    expect(w.targetReplicas).toBe(0);
    runUntil(w, now, (x) => x.status.phase === 'Succeeded');
  });

  it('waits for promotion approval at the maximum weight', () => {
    const spec = baseSpec({
      webhooks: [{ name: 'gate', type: 'confirm-promotion', url: 'http://127.0.0.1:1/' }],
    });
    const w = newWorld(spec);
    const t = runUntil(w, T0, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
    w.targetHash = 'v2';
    const held = runUntil(w, t + 1, (x) => x.status.phase === 'WaitingPromotion', fail('confirm-promotion'));
    expect(w.weight).toBe(50);
    runUntil(w, held + 10_000, (x) => x.status.phase === 'Succeeded');
  });

  it('rolls back at once when a rollback hook answers 2xx', () => {
    const spec = baseSpec({ webhooks: [{ name: 'abort', type: 'rollback', url: 'http://127.0.0.1:1/' }] });
    const w = newWorld(spec);
    const t = runUntil(
      w,
      T0,
      (x) => x.status.phase === 'Initialized',
      () => [],
    );
    w.targetHash = 'v2';
    const noRollback: Checker = (s) =>
      s === 'rollback' ? [{ kind: 'webhook', name: 'abort', ok: false, message: 'closed' }] : [];
    const mid = runUntil(w, t + 1, (x) => (x.status.canaryWeight ?? 0) === 20, noRollback);
    step(w, mid + 10_000, (s) =>
      s === 'rollback' ? [{ kind: 'webhook', name: 'abort', ok: true, message: 'open' }] : [],
    );
    expect(w.status.phase).toBe('Failed');
    expect(w.weight).toBe(0);
  });
});

describe('strategies', () => {
  it('blue/green analyses at weight 0 for N iterations, then switches all traffic and promotes', () => {
    const w = newWorld(baseSpec({ iterations: 3, stepWeight: undefined, maxWeight: undefined }));
    const t = runUntil(w, T0, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
    w.targetHash = 'v2';
    runUntil(w, t + 1, (x) => x.status.phase === 'Succeeded');
    expect(w.weights).toEqual([100, 0]);
    expect(w.primaryHash).toBe('v2');
  });

  it('skipAnalysis promotes without stepping', () => {
    const w = newWorld({ ...baseSpec(), skipAnalysis: true });
    const t = runUntil(w, T0, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
    w.targetHash = 'v2';
    runUntil(w, t + 1, (x) => x.status.phase === 'Succeeded');
    expect(w.weights).toEqual([]);
    expect(w.primaryHash).toBe('v2');
  });

  it('stepWeightPromotion moves traffic back to the primary in steps', () => {
    const w = newWorld(baseSpec({ stepWeightPromotion: 20 }));
    const t = runUntil(w, T0, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
    w.targetHash = 'v2';
    runUntil(w, t + 1, (x) => x.status.phase === 'Succeeded');
    expect(w.weights).toEqual([10, 20, 30, 40, 50, 30, 10, 0]);
  });
});

describe('A/B testing and requests', () => {
  it('routes by header during the iterations and removes the rules after promotion', () => {
    const w = newWorld(
      baseSpec({
        iterations: 3,
        match: [{ headers: { 'x-canary': { exact: 'insider' } } }],
        stepWeight: undefined,
      }),
    );
    const t = runUntil(w, T0, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
    w.targetHash = 'v2';
    const during = runUntil(w, t + 1, (x) => (x.status.iterations ?? 0) === 1);
    expect(w.match).toBe(true);
    expect(w.weight).toBe(0);
    runUntil(w, during + 1, (x) => x.status.phase === 'Succeeded');
    expect(w.match).toBe(false);
    expect(w.weights.every((x) => x === 0)).toBe(true);
  });

  it('an approval for the current revision opens a closed confirm-rollout gate', () => {
    const spec = baseSpec({
      webhooks: [{ name: 'gate', type: 'confirm-rollout', url: 'http://127.0.0.1:1/' }],
    });
    const w = newWorld(spec);
    const t = runUntil(w, T0, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
    w.targetHash = 'v2';
    step(w, t + 1, fail('confirm-rollout', 'gate closed'));
    expect(w.status.phase).toBe('Waiting');
    w.requests.approve = 'an older revision';
    step(w, t + 20_000, fail('confirm-rollout', 'gate closed'));
    expect(w.status.phase).toBe('Waiting');
    w.requests.approve = w.status.revision;
    step(w, t + 40_000, fail('confirm-rollout', 'gate closed'));
    expect(w.status.phase).toBe('Progressing');
  });

  it('an abort for the running revision rolls it back at once; one for another revision does nothing', () => {
    const { w, t } = initialised();
    w.targetHash = 'v2';
    const mid = runUntil(w, t + 1, (x) => (x.status.canaryWeight ?? 0) === 20);
    w.requests.abort = 'v1/{}';
    step(w, mid + 10_000);
    expect(w.status.phase).toBe('Progressing');
    w.requests.abort = w.status.revision;
    step(w, mid + 10_001);
    expect(w.status.phase).toBe('Failed');
    expect(w.weight).toBe(0);
    expect(w.status.message).toContain('aborted');
  });

  it('a promote request skips the remaining steps', () => {
    const { w, t } = initialised();
    w.targetHash = 'v2';
    const mid = runUntil(w, t + 1, (x) => (x.status.canaryWeight ?? 0) === 10);
    w.requests.promote = w.status.revision;
    runUntil(w, mid + 10_000, (x) => x.status.phase === 'Succeeded');
    expect(w.weights).toEqual([10, 0]);
    expect(w.primaryHash).toBe('v2');
  });
});

describe('release windows', () => {
  // Monday 2026-01-05 10:00Z is 19:00 in Tokyo: outside a 09:00-17:00 JST weekday window.
  const windows = [
    { schedule: '0 9 * * 1-5', duration: '8h', timeZone: 'Asia/Tokyo', kind: 'allow' as const },
  ];

  it('a new release waits outside its window, names the next opening, and starts once inside', () => {
    const w = newWorld(baseSpec({ windows }));
    const t = runUntil(w, T0, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
    w.targetHash = 'v2';
    const plan = step(w, t + 1);
    expect(w.status.phase).toBe('Waiting');
    expect(w.status.message).toContain('next window opens 2026-01-06T09:00:00+09:00 (Asia/Tokyo)');
    expect(w.targetReplicas).toBe(0);
    const opening = Date.parse('2026-01-06T00:00:00Z');
    expect(t + 1 + (plan.requeueAfterMs ?? 0)).toBeLessThanOrEqual(opening);
    runUntil(w, opening, (x) => x.status.phase === 'Succeeded');
  });

  it('a running release holds its weight when the window closes but still rolls back on failed checks', () => {
    const opensAt = Date.parse('2026-01-06T07:59:00Z'); // 16:59 JST, one minute before closing
    const w = newWorld(baseSpec({ windows, webhooks: [loadTest], interval: '30s' }));
    const t = runUntil(w, opensAt, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
    w.targetHash = 'v2';
    runUntil(w, t + 1, (x) => (x.status.canaryWeight ?? 0) >= 10);
    const held = w.status.canaryWeight;
    let now = opensAt + 5 * 60_000;
    for (let i = 0; i < 3; i++, now += 30_000) step(w, now);
    expect(w.status.canaryWeight).toBe(held);
    expect(w.status.message).toContain('holding at weight');
    runUntil(w, now, (x) => x.status.phase === 'Failed', fail('analysis'));
    expect(w.weight).toBe(0);
  });
});

describe('promotion that fails', () => {
  it('rolls back when the new primary pods never become ready while old ones still serve', () => {
    const { w, t } = initialised();
    w.targetHash = 'v2';
    const promoting = runUntil(w, t + 1, (x) => x.status.phase === 'Promoting');
    w.primaryPodsReady = false;
    w.primaryAvailable = true;
    const end = runUntil(w, promoting + 1, (x) => x.status.phase === 'Failed', allPass, 400);
    expect(end - promoting).toBeGreaterThanOrEqual(60_000);
    expect(w.status.message).toContain('promotion failed');
    expect(w.weight).toBe(0);
  });

  it('keeps the canary serving while the primary has no ready pod at all, and says why', () => {
    const { w, t } = initialised();
    w.targetHash = 'v2';
    const promoting = runUntil(w, t + 1, (x) => x.status.phase === 'Promoting');
    w.primaryPodsReady = false;
    w.primaryAvailable = false;
    let now = promoting + 1;
    for (let i = 0; i < 30; i++, now += 10_000) step(w, now);
    expect(w.status.phase).toBe('Promoting');
    expect(w.weight).toBe(50);
    expect(w.targetReplicas).toBeGreaterThan(0);
    expect(
      w.events.some((e) => e.type === 'Warning' && e.message.includes('traffic stays on the canary')),
    ).toBe(true);
    w.primaryPodsReady = true;
    w.primaryAvailable = undefined;
    runUntil(w, now, (x) => x.status.phase === 'Succeeded');
  });
});
