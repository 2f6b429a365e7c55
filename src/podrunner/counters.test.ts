import { describe, expect, it } from 'vitest';
import { EndedProcesses, finalCounters, MAX_ENDED, mergeCounters, type ProcessCounters } from './counters.ts';
import type { PodCounters } from './pod-process.ts';

function entry(uid: string, pid: number, requests: number, state: ProcessCounters['state']): ProcessCounters {
  const counters: PodCounters = {
    pod: `pod-${uid}`,
    namespace: 'ns',
    version: '6.0.1',
    image: 'podinfo:6.0.1',
    startedAt: '2026-01-01T00:00:00.000Z',
    requests,
    faults: 0,
    byStatus: {},
    headerNames: {},
    cookieNames: {},
  };
  return { namespace: 'ns', name: `pod-${uid}`, uid, pid, labels: { app: 'podinfo' }, state, counters };
}

describe('pod runner counters', () => {
  it('lists a process that ended while it was asked once, with its final counters', () => {
    const merged = mergeCounters(
      [entry('a', 10, 5, 'running'), entry('b', 11, 7, 'running')],
      [entry('a', 10, 6, 'ended'), entry('a', 9, 3, 'ended')],
    );
    expect(merged.map((e) => [e.uid, e.pid, e.state, e.counters.requests])).toEqual([
      ['a', 9, 'ended', 3],
      ['a', 10, 'ended', 6],
      ['b', 11, 'running', 7],
    ]);
  });

  it('keeps the last MAX_ENDED ended processes, by namespace on request', () => {
    const ended = new EndedProcesses();
    for (let i = 0; i < MAX_ENDED + 2; i++) ended.add(entry(`u${i}`, i, 1, 'ended'));
    expect(ended.list()).toHaveLength(MAX_ENDED);
    expect(ended.list()[0].uid).toBe('u2');
    expect(ended.list('other')).toEqual([]);
  });

  it('reads final counters from the IPC message that carries them only', () => {
    const { counters } = entry('a', 1, 4, 'ended');
    expect(finalCounters({ counters })).toBe(counters);
    expect(finalCounters({ listening: ['198.18.0.1:9898'] })).toBeUndefined();
    expect(finalCounters(null)).toBeUndefined();
  });
});
