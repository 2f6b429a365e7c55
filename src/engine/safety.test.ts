import { describe, expect, it } from 'vitest';
import type { CheckResult, CheckStage, Plan } from './model.ts';
import { baseSpec, newWorld, runUntil, step, type Checker, type World } from './testing/world.ts';

const T0 = Date.parse('2026-02-02T08:00:00Z');
const smoke = { name: 'smoke', type: 'rollout' as const, url: 'http://127.0.0.1:1/' };
const failed = (name: string): CheckResult[] => [
  { kind: 'webhook', name, ok: false, message: `${name} failed` },
];

function initialised(w: World): number {
  return runUntil(w, T0, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
}

/** Records, for every analysis the engine asks for, the time and the routes in force then. */
function recordingChecker(w: World, clock: { now: number }, answer: (w: World) => CheckResult[] = () => []) {
  const calls: { at: number; weight: number; match: boolean }[] = [];
  const checker: Checker = (stage: CheckStage) => {
    if (stage !== 'analysis') return [];
    calls.push({ at: clock.now, weight: w.weight, match: w.match });
    return answer(w);
  };
  return { calls, checker };
}

function runTimed(
  w: World,
  start: number,
  until: (w: World) => boolean,
  make: (clock: { now: number }) => Checker,
) {
  const clock = { now: start };
  const checker = make(clock);
  for (let i = 0; i < 300; i++) {
    const plan: Plan = step(w, clock.now, checker);
    if (until(w)) return clock.now;
    clock.now += plan.requeueAfterMs ?? 1000;
  }
  throw new Error(`not reached; phase ${w.status.phase}`);
}

describe('A/B and Blue/Green schedules', () => {
  it('A/B: the first check runs one interval after the header route is set, once per iteration', () => {
    const w = newWorld(
      baseSpec({
        iterations: 3,
        threshold: 1,
        match: [{ headers: { 'x-canary': { exact: 'insider' } } }],
        webhooks: [smoke],
      }),
    );
    const t = initialised(w);
    w.targetHash = 'v2';
    const clock = { now: t + 1 };
    // Like a metric, the check fails while no request could have reached the canary yet.
    let routeSetAt: number | undefined;
    const rec = recordingChecker(w, clock, () =>
      routeSetAt !== undefined && clock.now - routeSetAt >= 10_000 ? [] : failed('smoke'),
    );
    while (w.status.phase !== 'Succeeded' && w.status.phase !== 'Failed') {
      const plan = step(w, clock.now, rec.checker);
      if (w.match && routeSetAt === undefined) routeSetAt = clock.now;
      clock.now += plan.requeueAfterMs ?? 1000;
    }
    expect(w.status.phase).toBe('Succeeded');
    expect(rec.calls).toHaveLength(3);
    expect(rec.calls.every((c) => c.match)).toBe(true);
    expect(rec.calls[0].at - routeSetAt!).toBe(10_000);
    expect(w.primaryHash).toBe('v2');
  });

  it('Blue/Green: a passing analysis at weight 100 comes before the template is copied', () => {
    const w = newWorld(baseSpec({ iterations: 2, webhooks: [smoke] }));
    const t = initialised(w);
    w.targetHash = 'v2';
    let rec: ReturnType<typeof recordingChecker> | undefined;
    const promotedAt: number[] = [];
    runTimed(
      w,
      t + 1,
      (x) => {
        if (x.primaryHash === 'v2' && promotedAt.length === 0) promotedAt.push(rec!.calls.length);
        return x.status.phase === 'Succeeded';
      },
      (clock) => (rec = recordingChecker(w, clock)).checker,
    );
    const atFull = rec!.calls.findIndex((c) => c.weight === 100);
    expect(atFull).toBeGreaterThanOrEqual(0);
    expect(atFull).toBeLessThan(promotedAt[0]);
    expect(w.status.iterations).toBe(2);
  });
});

describe('promotion only of the analysed revision', () => {
  it('a revision pushed during Promoting restarts the analysis and never reaches the primary unanalysed', () => {
    const w = newWorld(baseSpec());
    const t = initialised(w);
    w.targetHash = 'v2';
    w.primaryPodsReady = false; // the primary's rollout holds the release in Promoting
    const now = runUntil(w, t + 1, (x) => x.status.phase === 'Promoting');
    expect(w.primaryHash).toBe('v2');
    w.targetHash = 'v3';
    step(w, now + 1000);
    expect(w.status.phase).toBe('Progressing');
    expect(w.status.lastAppliedSpec).toBe('v3');
    expect(w.weight).toBe(0);
    expect(w.primaryHash).toBe('v2');
    w.primaryPodsReady = true;
    runUntil(w, now + 2000, (x) => x.status.phase === 'Succeeded');
    expect(w.promotions).toEqual(['v1/{}', 'v2/{}', 'v3/{}']);
  });

  it('a push between the recorded promotion and the copy (a crash) leaves the primary on the last good build', () => {
    const w = newWorld(baseSpec());
    const t = initialised(w);
    w.targetHash = 'v2';
    let now = runUntil(w, t + 1, (x) => x.status.canaryWeight === 50);
    now += 10_000;
    step(w, now, undefined, { kind: 'crash', afterActions: 1 });
    expect(w.status.phase).toBe('Promoting');
    expect(w.primaryHash).toBe('v1');
    w.targetHash = 'v3';
    step(w, now + 1000);
    expect(w.primaryHash).toBe('v1');
    expect(w.status.phase).toBe('Progressing');
    expect(w.status.lastPromotedSpec).toBe('v1');
  });

  it('stepWeightPromotion moves the weight back once per interval', () => {
    const w = newWorld(baseSpec({ stepWeightPromotion: 20 }));
    const t = initialised(w);
    w.targetHash = 'v2';
    const changes: { at: number; weight: number }[] = [];
    let now = runUntil(w, t + 1, (x) => x.status.phase === 'Finalising');
    changes.push({ at: now, weight: w.weight });
    while (w.status.phase !== 'Succeeded') {
      const plan = step(w, now);
      if (w.weight !== changes.at(-1)!.weight) changes.push({ at: now, weight: w.weight });
      now += plan.requeueAfterMs ?? 1000;
    }
    expect(changes.map((c) => c.weight)).toEqual([30, 10, 0]);
    for (let i = 1; i < changes.length; i++)
      expect(changes[i].at - changes[i - 1].at).toBeGreaterThanOrEqual(10_000);
  });
});

describe('autoscaled canaries, deletion and outcomes', () => {
  it('leaves the canary replicas to its HPA during the analysis', () => {
    const spec = {
      ...baseSpec(),
      autoscalerRef: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'podinfo' },
    };
    const w = newWorld(spec);
    const t = initialised(w);
    w.targetHash = 'v2';
    const now = runUntil(w, t + 1, (x) => x.status.canaryWeight === 20);
    w.targetReplicas = 5; // the HPA scaled the canary up under load
    const plan = step(w, now + 10_000);
    expect(plan.actions.filter((a) => a.type === 'scaleTarget')).toEqual([]);
    runUntil(w, now + 10_001, (x) => x.status.phase === 'Finalising');
    expect(w.targetReplicas).toBe(5);
  });

  it('removes the revertOnDeletion finalizer with a Warning when the target is gone', () => {
    const w = newWorld({ ...baseSpec(), revertOnDeletion: true });
    const t = initialised(w);
    w.targetExists = false;
    w.deletionTimestamp = new Date(t).toISOString();
    const plan = step(w, t + 1000);
    expect(plan.actions.map((a) => a.type)).toEqual(['removeFinalizer']);
    expect(plan.events[0]).toMatchObject({ type: 'Warning', reason: 'FinalizerRemoved' });
  });

  it('removes it once the progress deadline passed without a ready target', () => {
    const w = newWorld({ ...baseSpec(), revertOnDeletion: true });
    const t = initialised(w);
    w.targetPodsReady = false;
    w.deletionTimestamp = new Date(t).toISOString();
    expect(step(w, t + 1000).actions.map((a) => a.type)).not.toContain('removeFinalizer');
    expect(step(w, t + 61_000).actions.map((a) => a.type)).toContain('removeFinalizer');
  });

  it('delivers a rollback recorded just before a crash once, on the next reconcile', () => {
    const w = newWorld(baseSpec({ threshold: 1, webhooks: [smoke] }));
    const t = initialised(w);
    w.targetHash = 'v2';
    let now = runUntil(w, t + 1, (x) => x.status.canaryWeight === 10);
    now += 10_000;
    step(w, now, () => failed('smoke'), { kind: 'crash', afterActions: 0 });
    expect(w.status.phase).toBe('Failed');
    expect(w.outcomes).toEqual([]);
    expect(w.weight).toBe(10);
    step(w, now + 100);
    expect(w.weight).toBe(0);
    expect(w.outcomes).toEqual(['rolled-back']);
    for (let i = 1; i < 5; i++) step(w, now + 100 + i * 10_000);
    expect(w.outcomes).toEqual(['rolled-back']);
    expect(w.postRolloutRuns).toBe(1);
  });

  it('keeps traffic on the target and says so when the primary is not ready by the deadline', () => {
    const w = newWorld(baseSpec());
    w.primaryPodsReady = false;
    runUntil(w, T0, (x) => x.status.message?.includes('exceeded progressDeadlineSeconds') === true);
    expect(w.status.phase).toBe('Initializing');
    expect(w.targetReplicas).toBe(2);
    expect(w.status.conditions?.find((c) => c.type === 'Initialized')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
    });
  });
});
