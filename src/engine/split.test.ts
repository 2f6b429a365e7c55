import { describe, expect, it } from 'vitest';
import { seededRandom as seeded } from '../dataplane/backend.ts';
import type { CheckResult } from './model.ts';
import { splitPValue } from './split.ts';
import { baseSpec, newWorld, runUntil, type Checker, type World } from './testing/world.ts';

const T0 = Date.parse('2026-01-05T10:00:00Z');

function binomialDraw(n: number, p: number, random: () => number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (random() < p) k++;
  return k;
}

/** The data plane as the analysis sees it: `totalOf()` requests per interval, `canaryOf` of them to the canary. */
function dataPlane(w: World, total: number | (() => number), canaryOf: (weight: number) => number): Checker {
  return (stage) => {
    if (stage !== 'analysis') return [];
    const requests = typeof total === 'number' ? total : total();
    const split = { canary: canaryOf(w.weight), total: requests };
    return [{ kind: 'split', name: 'observed-split', ok: true, message: '', split } satisfies CheckResult];
  };
}

function releasing(overrides: Parameters<typeof baseSpec>[0] = {}) {
  const w = newWorld(baseSpec({ threshold: 3, ...overrides }));
  w.splitObservable = true;
  const t = runUntil(w, T0, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
  w.targetHash = 'v2';
  return { w, t };
}

describe('splitPValue', () => {
  it('is 1 for a share between the previous and the current weight', () => {
    expect(splitPValue(150, 1000, 10, 20)).toBe(1);
    expect(splitPValue(200, 1000, 20, 20)).toBe(1);
  });

  it('is tiny for no canary request of 1,240 at weight 20, and large for 19.4%', () => {
    expect(splitPValue(0, 1240, 20, 20)).toBeLessThan(1e-100);
    expect(splitPValue(240, 1240, 20, 20)).toBeGreaterThan(0.5);
  });

  it('judges a correctly routed canary incompatible at no more than the false-alarm rate', () => {
    const random = seeded(42);
    const alpha = 0.01;
    let alarms = 0;
    const draws = 4000;
    for (let i = 0; i < draws; i++) {
      const weight = [1, 5, 10, 20, 50, 90][i % 6];
      const n = 50 + (i % 7) * 60;
      if (splitPValue(binomialDraw(n, weight / 100, random), n, weight, weight) < alpha) alarms++;
    }
    console.log(
      `observed split: ${alarms} false alarms in ${draws} correctly routed intervals at rate ${alpha}`,
    );
    expect(alarms / draws).toBeLessThanOrEqual(alpha);
  });
});

describe('observed split in a release', () => {
  it('halts after 2 incompatible intervals with the Warning that says what it saw, and rolls back at the threshold', () => {
    const { w, t } = releasing();
    const ignoresCanary = dataPlane(w, 1240, () => 0);
    runUntil(w, t, (x) => x.status.phase === 'Failed', ignoresCanary);
    const warnings = w.events.filter((e) => e.type === 'Warning').map((e) => e.message);
    expect(warnings[0]).toMatch(
      /^Halt advancement podinfo\.test canary-weight 10 but 0\.0% of 1,240 requests reached the canary \(expected 5-10%, binomial p < 1e-6/,
    );
    // The first incompatible interval holds the weight, the second halts: it never went past the first step.
    expect(w.weights).toEqual([10, 0]);
    expect(w.status.failedChecks).toBe(3);
    expect(w.status.observedSplit).toMatchObject({ weight: 10, canaryRequests: 0, requests: 1240 });
  });

  it('never fires on a data plane that routes by the weight, and records what it saw', () => {
    const random = seeded(7);
    const { w, t } = releasing();
    const seen: number[] = [];
    const faithful = dataPlane(w, 400, (weight) => binomialDraw(400, weight / 100, random));
    const checker: Checker = (stage) => {
      const out = faithful(stage);
      if (stage === 'analysis') seen.push(w.status.observedSplit?.incompatibleIntervals ?? 0);
      return out;
    };
    runUntil(w, t, (x) => x.status.phase === 'Succeeded', checker);
    expect(w.weights).toEqual([10, 20, 30, 40, 50, 0]);
    expect(w.events.some((e) => e.message.includes('requests reached the canary'))).toBe(false);
    expect(w.status.observedSplit?.share).toBeGreaterThan(40);
  });

  it('does not judge intervals with fewer than minRequests and resets the count when the split is fine again', () => {
    const { w, t } = releasing({ observedSplit: { minRequests: 100, intervals: 2 } });
    let routed = false;
    let total = 1000;
    const checker = dataPlane(
      w,
      () => total,
      (weight) => (routed ? (total * weight) / 100 : 0),
    );
    let now = runUntil(w, t, (x) => (x.status.observedSplit?.incompatibleIntervals ?? 0) === 1, checker);
    expect(w.status.message).toMatch(/^holding at weight 10: canary-weight 10 but 0\.0% of 1,000 requests/);
    total = 20;
    now = runUntil(w, now + 1, (x) => x.status.observedSplit?.requests === 20, checker);
    expect(w.status.observedSplit?.incompatibleIntervals).toBe(1);
    expect(w.status.observedSplit?.pValue).toBeUndefined();
    total = 1000;
    routed = true;
    runUntil(w, now + 1, (x) => x.status.phase === 'Succeeded', checker);
    expect(w.weights).toEqual([10, 20, 30, 40, 50, 0]);
    expect(w.status.observedSplit?.incompatibleIntervals).toBe(0);
    expect(w.events.some((e) => e.type === 'Warning')).toBe(false);
  });

  it('can be turned off', () => {
    const { w, t } = releasing({ observedSplit: { enabled: false } });
    runUntil(
      w,
      t,
      (x) => x.status.phase === 'Succeeded',
      dataPlane(w, 1240, () => 0),
    );
    expect(w.status.observedSplit).toBeUndefined();
  });

  it('A/B releases route by header, not weight: never judged', () => {
    const { w, t } = releasing({
      stepWeight: undefined,
      maxWeight: undefined,
      iterations: 2,
      match: [{ headers: { 'x-canary': { exact: 'insider' } } }],
    });
    runUntil(
      w,
      t,
      (x) => x.status.phase === 'Succeeded',
      dataPlane(w, 1240, () => 0),
    );
    expect(w.status.observedSplit).toBeUndefined();
  });
});
