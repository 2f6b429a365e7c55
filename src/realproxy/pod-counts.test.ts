import { describe, expect, it } from 'vitest';
import type { ProcessCounters } from '../podrunner/counters.ts';
import { appCounts } from './pod-counts.ts';

function process(app: string, requests: number, forwarded: number, byStatus: Record<string, number>) {
  return {
    namespace: 'test',
    name: `${app}-x`,
    uid: `${app}-${requests}`,
    pid: 1,
    labels: { app },
    state: 'ended',
    counters: {
      pod: `${app}-x`,
      namespace: 'test',
      version: '6.0.0',
      image: 'podinfo:6.0.0',
      startedAt: '',
      requests,
      faults: 0,
      byStatus,
      headerNames: { 'x-forwarded-for': forwarded },
      cookieNames: {},
    },
  } satisfies ProcessCounters;
}

describe('appCounts', () => {
  it("tells the primary's and the canary's pods apart, user requests from direct ones, and sums 5xx", () => {
    const counts = appCounts(
      [
        process('podinfo-primary', 100, 100, { '200': 97, '503': 3 }),
        process('podinfo', 30, 20, { '200': 12, '500': 18 }),
        process('podinfo', 10, 10, { '200': 10 }),
        process('other', 50, 50, { '500': 50 }),
      ],
      'podinfo',
    );
    expect(counts).toEqual({
      primary: 100,
      canary: 30,
      canaryDirect: 10,
      canaryUnmatched: 30,
      primaryErrors: 3,
      canaryErrors: 18,
    });
  });
});
