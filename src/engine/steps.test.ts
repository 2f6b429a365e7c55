import { describe, expect, it } from 'vitest';
import type { CanarySpec } from '../api/types.ts';
import type { ReleaseStep } from '../api/steps.ts';
import type { CheckStage } from './model.ts';
import { baseSpec, newWorld, revisionOf, runUntil, step, type Checker, type World } from './testing/world.ts';

const T0 = Date.parse('2026-12-02T08:00:00Z');
const INSIDERS = [{ headers: { 'x-canary': { exact: 'insider' } } }];

/** header → 1 % → pause {} → 10 % → pause 10 s → 50 % → promote, analysed every 30 s. */
const RELEASE: ReleaseStep[] = [
  { setHeaderRoute: { match: INSIDERS } },
  { setWeight: 1 },
  { pause: {} },
  { setWeight: 10 },
  { pause: { duration: '10s' } },
  { setWeight: 50 },
];

function stepsSpec(steps: ReleaseStep[] = RELEASE): CanarySpec {
  const spec = baseSpec();
  const webhooks = [{ name: 'load', type: 'rollout' as const, url: 'http://127.0.0.1:1/' }];
  return { ...spec, analysis: { interval: '30s', threshold: 1, steps, webhooks } };
}

/** A world whose second revision is ready to be released (Progressing at weight 0, no step yet). */
function released(steps?: ReleaseStep[]): { w: World; now: number } {
  const w = newWorld(stepsSpec(steps));
  const t = runUntil(w, T0, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
  w.targetHash = 'v2';
  return { w, now: runUntil(w, t + 1, (x) => x.status.phase === 'Progressing') };
}

/** Reconciles at the requested times until `until`; returns the time and the analyses run meanwhile. */
function until(w: World, start: number, done: (w: World) => boolean, checker?: Checker) {
  const analyses: { at: number; weight: number; match: boolean }[] = [];
  let now = start;
  for (let i = 0; i < 100; i++) {
    const plan = step(w, now, (stage: CheckStage) => {
      if (stage === 'analysis') analyses.push({ at: now, weight: w.weight, match: w.match });
      return checker?.(stage) ?? [];
    });
    if (done(w)) return { now, analyses };
    now += plan.requeueAfterMs ?? 1000;
  }
  throw new Error(`not reached; phase ${w.status.phase}, step ${w.status.currentStep}: ${w.status.message}`);
}

const atStep = (index: number) => (w: World) => w.status.currentStep === index;

describe('analysis.steps', () => {
  it('sets the header route first, then keeps it beside each later weight until promotion', () => {
    const { w, now } = released();
    const header = until(w, now, atStep(0));
    expect([w.weight, w.match, w.rules]).toEqual([0, true, INSIDERS]);
    const one = until(w, header.now + 1, atStep(1));
    expect([w.weight, w.match]).toEqual([1, true]);
    // The header step was analysed (its requests go to the canary) before the weight went up.
    expect(one.analyses).toEqual([{ at: expect.any(Number), weight: 0, match: true }]);
    expect(one.now - header.now).toBeGreaterThanOrEqual(30_000);
  });

  it('waits at an open pause, running the checks, until this revision is approved while it waits', () => {
    const { w, now } = released();
    const paused = until(w, now, atStep(2));
    expect(w.status.message).toBe('step 3/6: pause until approved');
    expect([w.weight, w.match]).toEqual([1, true]);
    // An approval of this revision made before the pause began (for an earlier gate) does not open it.
    w.requests = { approve: revisionOf(w), decision: approval(w, paused.now - 5_000) };
    const waited = runFor(w, paused.now + 1, 600_000);
    expect(w.status.currentStep).toBe(2);
    expect(w.status.message).toContain('paused at step 3/6 until approved');
    expect(w.weight).toBe(1);
    expect(waited.analyses.length).toBeGreaterThanOrEqual(19);
    // Approved while it waits: the next step follows at the next look.
    w.requests = { approve: revisionOf(w), decision: approval(w, waited.now) };
    until(w, waited.now + 1, atStep(3));
    expect([w.weight, w.match]).toEqual([10, true]);
    expect(w.status.lastDecision?.by).toBe('Slack user alice (U024BE7LH)');
    expect(w.events.map((e) => e.message)).toContain(
      'Pause at step 3/6 of podinfo.test approved by Slack user alice (U024BE7LH): continuing',
    );
  });

  it('holds a timed pause for its duration (checks included), then goes on to the next weight', () => {
    const { w, now } = released();
    const before = until(w, now, atStep(2));
    w.requests = { approve: revisionOf(w), decision: approval(w, before.now + 1) };
    const paused = until(w, before.now + 1, atStep(4));
    const started = Date.parse(w.status.stepStartTime!);
    const next = until(w, paused.now + 1, atStep(5));
    expect(next.now - started).toBeGreaterThanOrEqual(10_000);
    // The pause's 10 s end the look, not the 30 s interval.
    expect(next.now - started).toBeLessThan(30_000);
    expect(next.analyses.length).toBeGreaterThanOrEqual(1);
    expect([w.weight, w.match]).toEqual([50, true]);
    const done = until(w, next.now + 1, (x) => x.status.phase === 'Succeeded');
    expect([w.weight, w.match]).toEqual([0, false]);
    // Traffic goes back to the primary in one write: weight 0 and no header route together.
    expect(w.routeWrites.filter((r) => r.phase === 'Finalising').map((r) => r.weight)).not.toContain(50);
    expect(w.promotions.at(-1)).toBe(revisionOf(w));
    // The last step was analysed at 50 % with the header route before promotion.
    expect(done.analyses[0]).toMatchObject({ weight: 50, match: true });
  });

  it('rolls back from any step: the header route removed and the canary at 0', () => {
    for (let failAt = 0; failAt < RELEASE.length; failAt++) {
      const { w, now } = released();
      let t = until(w, now, atStep(Math.min(failAt, 2))).now;
      if (failAt > 2) {
        w.requests = { approve: revisionOf(w), decision: approval(w, t) };
        t = until(w, t + 1, atStep(failAt)).now;
      }
      const failing: Checker = (stage) =>
        stage === 'analysis' ? [{ kind: 'webhook', name: 'load', ok: false, message: 'errors' }] : [];
      until(w, t + 1, (x) => x.status.phase === 'Failed', failing);
      expect([failAt, w.weight, w.match, w.targetReplicas]).toEqual([failAt, 0, false, 0]);
      expect(w.status.message).toContain('errors');
    }
  });

  it('uses a step’s own interval for how long it is analysed', () => {
    const { w, now } = released([{ setWeight: 20, interval: '5m' }, { setWeight: 40 }]);
    const first = until(w, now, atStep(0));
    const second = until(w, first.now + 1, atStep(1));
    expect(second.now - first.now).toBeGreaterThanOrEqual(300_000);
    const done = until(w, second.now + 1, (x) => x.status.phase === 'Promoting');
    expect(done.now - second.now).toBeLessThan(60_000);
  });

  it('a setHeaderRoute without match removes the route from that step on', () => {
    const { w, now } = released([
      { setHeaderRoute: { match: INSIDERS } },
      { setWeight: 20 },
      { setHeaderRoute: {} },
      { setWeight: 40 },
    ]);
    until(w, now, atStep(1));
    expect([w.weight, w.match]).toEqual([20, true]);
    const removed = until(w, now, atStep(2));
    expect([w.weight, w.match]).toEqual([20, false]);
    until(w, removed.now + 1, atStep(3));
    expect([w.weight, w.match]).toEqual([40, false]);
  });

  it('a crash after the status recorded a step puts that step’s routes in place and analyses it from then', () => {
    const { w, now } = released();
    const header = until(w, now, atStep(0));
    // The reconcile that records step 1 dies before any write.
    step(w, header.now + 30_000, () => [], { kind: 'crash', afterActions: 0 });
    expect(w.status.currentStep).toBe(1);
    expect([w.weight, w.match]).toEqual([0, true]);
    step(w, header.now + 30_001);
    expect([w.weight, w.match]).toEqual([1, true]);
  });
});

function approval(w: World, at: number) {
  return {
    decision: 'approve' as const,
    revision: revisionOf(w),
    by: 'Slack user alice (U024BE7LH)',
    via: 'Slack',
    at: new Date(at).toISOString(),
  };
}

/** Reconciles at the requested times for `ms`; the analyses run meanwhile. */
function runFor(w: World, start: number, ms: number) {
  const analyses: number[] = [];
  let now = start;
  while (now < start + ms) {
    const plan = step(w, now, (stage) => {
      if (stage === 'analysis') analyses.push(now);
      return [];
    });
    now += plan.requeueAfterMs ?? 1000;
  }
  return { now, analyses };
}
