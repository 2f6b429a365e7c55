import { describe, expect, it } from 'vitest';
import type { CanarySpec } from '../api/types.ts';
import type { CheckResult, CheckStage } from './model.ts';
import { baseSpec, newWorld, runUntil, step, type World } from './testing/world.ts';

const T0 = Date.parse('2026-01-05T10:00:00Z');
const loadTest = { name: 'load-test', type: 'rollout' as const, url: 'http://127.0.0.1:1/' };

function baselineSpec(): CanarySpec {
  const spec = baseSpec({ webhooks: [loadTest], maxWeight: 30, judge: { baseline: true } });
  return { ...spec, provider: 'gatewayapi:v1' };
}

function initialised(spec = baselineSpec()): { w: World; t: number } {
  const w = newWorld(spec);
  const t = runUntil(w, T0, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
  return { w, t };
}

const failing =
  (stage: CheckStage) =>
  (s: CheckStage): CheckResult[] =>
    s === stage ? [{ kind: 'webhook', name: 'load-test', ok: false, message: 'load test failed' }] : [];

describe('baseline (analysis.judge.baseline)', () => {
  it('is not created before a release', () => {
    const { w } = initialised();
    expect(w.baselineExists).toBe(false);
  });

  it('starts with the canary at its size, gets weight only once ready, and stops when the release is promoted', () => {
    const { w, t } = initialised();
    w.targetHash = 'v2';
    w.baselinePodsReady = false;
    step(w, t + 1000);
    expect(w.status.phase).toBe('Progressing');
    expect(w.targetReplicas).toBe(2);
    expect(w.baselineReplicas).toBe(2);
    // The canary is ready, the baseline is not: no weight, and the message says why.
    step(w, t + 3000);
    step(w, t + 15_000);
    expect(w.weight).toBe(0);
    expect(w.status.message).toBe(
      'waiting for baseline deployment podinfo-baseline.test rollout: pods not ready',
    );
    w.baselinePodsReady = true;
    runUntil(w, t + 16_000, (x) => x.weight > 0);
    expect(w.baselineWeight).toBe(w.weight);
    runUntil(w, t + 17_000, (x) => x.status.phase === 'Succeeded');
    expect(w.weights).toEqual([10, 20, 30, 0]);
    expect(w.baselineReplicas).toBe(0);
    expect(w.baselineWeight).toBe(0);
    expect(w.targetReplicas).toBe(0);
  });

  it('is scaled to 0 with the canary on a rollback, and gets no traffic', () => {
    const { w, t } = initialised();
    w.targetHash = 'v2';
    runUntil(w, t + 1, (x) => x.status.phase === 'Failed', failing('analysis'));
    expect(w.weight).toBe(0);
    expect(w.baselineWeight).toBe(0);
    expect(w.baselineReplicas).toBe(0);
    expect(w.targetReplicas).toBe(0);
  });

  it('rolls back when the baseline is not ready within the progress deadline, naming it', () => {
    const { w, t } = initialised();
    w.targetHash = 'v2';
    w.baselinePodsReady = false;
    runUntil(w, t + 1, (x) => x.status.phase === 'Failed');
    expect(w.status.message).toMatch(
      /^baseline deployment podinfo-baseline.test not ready after progressDeadlineSeconds 60: pods not ready/,
    );
    expect(w.weights).toEqual([]);
    expect(w.baselineReplicas).toBe(0);
  });

  it('a crash after the outcome was recorded leaves the baseline running only until the next reconcile', () => {
    const { w, t } = initialised();
    w.targetHash = 'v2';
    const end = runUntil(w, t + 1, (x) => x.status.phase === 'Finalising');
    // The reconcile that ends the release records Succeeded and dies before any write.
    let now = end;
    while (w.status.phase !== 'Succeeded')
      step(w, (now += 2000), undefined, { kind: 'crash', afterActions: 0 });
    expect(w.baselineReplicas).toBe(2);
    // The next decision itself asks for the scale-down (the shell's infrastructure pass does too).
    const next = step(w, now + 2000);
    expect(next.actions).toContainEqual({ type: 'scaleBaseline', replicas: 0 });
    expect(w.baselineReplicas).toBe(0);
    expect(w.targetReplicas).toBe(0);
  });

  it('a Canary that stops asking for a baseline scales it down; one without never gets a baseline', () => {
    const { w, t } = initialised();
    w.targetHash = 'v2';
    runUntil(w, t + 1, (x) => x.weight > 0);
    expect(w.baselineReplicas).toBe(2);
    w.spec = { ...w.spec, analysis: { ...w.spec.analysis, judge: {} } };
    step(w, t + 60_000);
    expect(w.baselineReplicas).toBe(0);

    const plain = initialised({
      ...baselineSpec(),
      analysis: { ...baselineSpec().analysis, judge: undefined },
    });
    plain.w.targetHash = 'v2';
    runUntil(plain.w, plain.t + 1, (x) => x.status.phase === 'Succeeded');
    expect(plain.w.baselineExists).toBe(false);
  });

  it('skipAnalysis promotes without starting a baseline', () => {
    const { w, t } = initialised({ ...baselineSpec(), skipAnalysis: true });
    w.targetHash = 'v2';
    runUntil(w, t + 1, (x) => x.status.phase === 'Succeeded');
    expect(w.baselineExists).toBe(false);
  });
});
