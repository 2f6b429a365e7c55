import { describe, expect, it } from 'vitest';
import { planProcesses, type SlotView } from './plan.ts';
import type { PodTarget } from './pod-spec.ts';

function target(n: number, overrides: Partial<PodTarget> = {}): PodTarget {
  return {
    uid: `u${n}`,
    namespace: 'test',
    name: `pod-${n}`,
    ip: `198.18.0.${n}`,
    ports: [9898],
    container: 'podinfo',
    image: 'podinfo:6.0.1',
    version: '6.0.1',
    created: 1000 + n,
    ...overrides,
  };
}

function slots(...views: SlotView[]): Map<string, SlotView> {
  return new Map(views.map((v) => [v.target.uid, v]));
}

describe('planProcesses', () => {
  it('starts a process per pod and stops those whose pod is gone', () => {
    const plan = planProcesses(
      [target(1), target(2)],
      slots({ target: target(3), state: 'running' }),
      200,
      0,
    );
    expect(plan).toEqual({ stop: ['u3'], start: [target(1), target(2)], retry: [], waiting: [] });
  });

  it('leaves running and starting processes alone', () => {
    const current = slots({ target: target(1), state: 'running' }, { target: target(2), state: 'starting' });
    expect(planProcesses([target(1), target(2)], current, 200, 0)).toEqual({
      stop: [],
      start: [],
      retry: [],
      waiting: [],
    });
  });

  it('restarts a process whose container changed: stops it, then starts the new one', () => {
    const updated = target(1, { image: 'podinfo:6.0.2', version: '6.0.2' });
    const plan = planProcesses([updated], slots({ target: target(1), state: 'running' }), 200, 0);
    expect(plan.stop).toEqual(['u1']);
    expect(plan.start).toEqual([]);
    expect(plan.waiting).toEqual([
      { target: updated, reason: 'its previous process still holds 198.18.0.1' },
    ]);
    expect(planProcesses([updated], slots(), 200, 0).start).toEqual([updated]);
  });

  it('gives a deleted pod’s address to the new pod once the old process has stopped', () => {
    const reused = target(7, { ip: '198.18.0.1' });
    const running = planProcesses([reused], slots({ target: target(1), state: 'running' }), 200, 0);
    expect(running.stop).toEqual(['u1']);
    expect(running.start).toEqual([]);
    const stopping = planProcesses([reused], slots({ target: target(1), state: 'stopping' }), 200, 0);
    expect(stopping.stop).toEqual([]);
    expect(stopping.waiting).toEqual([
      { target: reused, reason: 'address 198.18.0.1 still used by test/pod-1' },
    ]);
    expect(planProcesses([reused], slots(), 200, 0).start).toEqual([reused]);
  });

  it('stops a process still starting only once it has started', () => {
    const starting = slots({ target: target(1), state: 'starting' });
    expect(planProcesses([], starting, 200, 0).stop).toEqual([]);
    expect(planProcesses([], slots({ target: target(1), state: 'running' }), 200, 0).stop).toEqual(['u1']);
  });

  it('frees the address of a process in backoff at once: it has no sockets', () => {
    const reused = target(7, { ip: '198.18.0.1' });
    const plan = planProcesses([reused], slots({ target: target(1), state: 'backoff' }), 200, 0);
    expect(plan.stop).toEqual(['u1']);
    expect(plan.start).toEqual([reused]);
  });

  it('makes a pod wait while a remaining process holds its address', () => {
    const clash = target(7, { ip: '198.18.0.1' });
    const plan = planProcesses([target(1), clash], slots({ target: target(1), state: 'running' }), 200, 0);
    expect(plan.start).toEqual([]);
    expect(plan.waiting).toEqual([{ target: clash, reason: 'address 198.18.0.1 still used by test/pod-1' }]);
  });

  it('starts at most max processes, for the oldest pods, counting those in backoff', () => {
    const newest = target(9, { created: 5000 });
    const plan = planProcesses(
      [newest, target(3), target(2), target(1)],
      slots({ target: target(1), state: 'backoff', retryAt: 10_000 }),
      3,
      0,
    );
    expect(plan.start).toEqual([target(2), target(3)]);
    expect(plan.waiting).toEqual([{ target: newest, reason: 'at the limit of 3 processes' }]);
    expect(plan.nextRetryAt).toBe(10_000);
  });

  it('retries a process in backoff once its time has come', () => {
    const current = slots(
      { target: target(1), state: 'backoff', retryAt: 500 },
      { target: target(2), state: 'backoff', retryAt: 2000 },
    );
    const plan = planProcesses([target(1), target(2)], current, 200, 1000);
    expect(plan.retry).toEqual(['u1']);
    expect(plan.nextRetryAt).toBe(2000);
  });
});
