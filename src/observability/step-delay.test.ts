import { describe, expect, it } from 'vitest';
import { OperatorMetrics } from './metrics.ts';
import { stepDelay } from './step-delay.ts';

describe('stepDelay', () => {
  it('splits a late step into waiting, deciding and writing that add up to the delay', () => {
    // Due at 10.000 s, taken by a reconcile at 10.300 s, decided at 10.350 s, routes written at 10.450 s.
    const delay = stepDelay(10_000, 10_300, 10_350, 10_450);
    expect(delay).toEqual({ seconds: 0.45, waitingSeconds: 0.3, decidingSeconds: 0.05, writingSeconds: 0.1 });
  });

  it('counts no waiting for a reconcile that started before the step was due', () => {
    // An event's reconcile began 20 ms early and decided once the step was due.
    const delay = stepDelay(10_000, 9_980, 10_010, 10_090);
    expect(delay.waitingSeconds).toBe(0);
    expect(delay.decidingSeconds).toBeCloseTo(0.01, 6);
    expect(delay.writingSeconds).toBeCloseTo(0.08, 6);
    expect(delay.seconds).toBeCloseTo(0.09, 6);
  });
});

describe('OperatorMetrics.stepDelayed', () => {
  it('observes the delay and each of its parts in its own histogram', async () => {
    const metrics = new OperatorMetrics({ processMetrics: false });
    metrics.stepDelayed(stepDelay(0, 700, 720, 800));
    const { body } = await metrics.render();
    expect(body).toContain('kanaria_step_delay_seconds_bucket{le="1"} 1');
    expect(body).toContain('kanaria_step_delay_seconds_bucket{le="0.5"} 0');
    expect(body).toContain('kanaria_step_wait_seconds_bucket{le="1"} 1');
    expect(body).toContain('kanaria_step_wait_seconds_bucket{le="0.5"} 0');
    expect(body).toContain('kanaria_step_decide_seconds_bucket{le="0.05"} 1');
    expect(body).toContain('kanaria_step_decide_seconds_bucket{le="0.01"} 0');
    expect(body).toContain('kanaria_step_write_seconds_bucket{le="0.1"} 1');
    expect(body).toContain('kanaria_step_write_seconds_bucket{le="0.05"} 0');
  });
});
