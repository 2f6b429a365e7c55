import { describe, expect, it } from 'vitest';
import { seededRandom } from '../dataplane/backend.ts';
import { faultSchedule, parseBehaviour } from './behaviour.ts';

function run(schedule: { next(): boolean }, n: number): boolean[] {
  return Array.from({ length: n }, () => schedule.next());
}

describe('parseBehaviour', () => {
  it('defaults to no faults and no latency', () => {
    expect(parseBehaviour({})).toEqual({ faultRate: 0, faultStatus: 500, latencyMs: 0 });
    expect(parseBehaviour({ FAULT_RATE: '', LATENCY_MS: ' ' })).toEqual({
      faultRate: 0,
      faultStatus: 500,
      latencyMs: 0,
    });
  });

  it('reads the pod env', () => {
    expect(
      parseBehaviour({ FAULT_RATE: '0.6', FAULT_STATUS: '503', LATENCY_MS: '200', FAULT_SEED: '7' }),
    ).toEqual({ faultRate: 0.6, faultStatus: 503, latencyMs: 200, faultSeed: 7 });
  });

  it('names a value out of range', () => {
    expect(() => parseBehaviour({ FAULT_RATE: '60%' })).toThrow('FAULT_RATE="60%" is not a number');
    expect(() => parseBehaviour({ FAULT_RATE: '1.5' })).toThrow('FAULT_RATE=1.5 is not in 0..1');
    expect(() => parseBehaviour({ FAULT_STATUS: '404' })).toThrow(/FAULT_STATUS=404/);
    expect(() => parseBehaviour({ LATENCY_MS: '-1' })).toThrow(/LATENCY_MS=-1/);
    expect(() => parseBehaviour({ FAULT_SEED: '1.5' })).toThrow(/FAULT_SEED=1.5/);
  });
});

describe('faultSchedule', () => {
  it('spaces faults evenly: every k-th request for a rate of 1/k', () => {
    expect(run(faultSchedule(0.25), 8)).toEqual([false, false, false, true, false, false, false, true]);
    expect(run(faultSchedule(1), 3)).toEqual([true, true, true]);
    expect(run(faultSchedule(0), 3)).toEqual([false, false, false]);
  });

  it('fails rate·n ± 1 of any window of n requests', () => {
    const outcomes = run(faultSchedule(0.6), 1000);
    for (const [start, n] of [
      [0, 10],
      [3, 17],
      [100, 250],
    ])
      expect(Math.abs(outcomes.slice(start, start + n).filter(Boolean).length - 0.6 * n)).toBeLessThanOrEqual(
        1,
      );
  });

  it('draws faults from a seeded generator when given one', () => {
    const a = run(faultSchedule(0.3, seededRandom(42)), 200);
    expect(run(faultSchedule(0.3, seededRandom(42)), 200)).toEqual(a);
    expect(a.filter(Boolean).length).toBeGreaterThan(30);
    expect(a.filter(Boolean).length).toBeLessThan(90);
  });
});
