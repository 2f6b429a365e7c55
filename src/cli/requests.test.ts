import { describe, expect, it } from 'vitest';
import type { Canary, CanaryStatus } from '../api/types.ts';
import { CliError } from './common.ts';
import { planAbort, planPromote, planResume } from './requests.ts';

function canary(status: CanaryStatus, suspend?: boolean): Canary {
  return {
    apiVersion: 'kanaria.dev/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { kind: 'Deployment', name: 'podinfo' },
      service: { port: 80 },
      analysis: { interval: '1m' },
      suspend,
    },
    status,
  };
}

describe('planPromote', () => {
  it('approves the revision of a pending or running release', () => {
    for (const phase of ['Waiting', 'Progressing', 'WaitingPromotion'] as const)
      expect(planPromote(canary({ phase, revision: 'r2' }), false).patch).toEqual({
        metadata: { annotations: { 'kanaria.dev/approve': 'r2' } },
      });
  });

  it('with full also asks for the promotion', () => {
    const plan = planPromote(canary({ phase: 'Waiting', revision: 'r2' }), true);
    expect(plan.patch).toEqual({
      metadata: { annotations: { 'kanaria.dev/approve': 'r2', 'kanaria.dev/promote': 'r2' } },
    });
    expect(plan.message).toMatch(/remaining analysis is skipped/);
  });

  it('refuses when no release is pending or running', () => {
    for (const phase of ['Initialized', 'Succeeded', 'Failed', undefined] as const)
      expect(() => planPromote(canary({ phase, revision: 'r1' }), false)).toThrow(
        /canary podinfo in namespace test has no release pending or running/,
      );
  });

  it('writes nothing while the release is already being promoted', () => {
    const plan = planPromote(canary({ phase: 'Promoting', revision: 'r2' }), false);
    expect(plan.patch).toBeUndefined();
    expect(plan.message).toMatch(/already being promoted/);
  });

  it('needs a revision to name', () => {
    expect(() => planPromote(canary({ phase: 'Waiting' }), false)).toThrow(CliError);
  });
});

describe('planAbort', () => {
  it('names the running revision', () => {
    expect(planAbort(canary({ phase: 'Progressing', revision: 'r3' })).patch).toEqual({
      metadata: { annotations: { 'kanaria.dev/abort': 'r3' } },
    });
    expect(planAbort(canary({ phase: 'WaitingPromotion', revision: 'r3' })).patch).toBeDefined();
  });

  it('refuses outside Progressing and WaitingPromotion', () => {
    for (const phase of ['Waiting', 'Succeeded', 'Failed', 'Promoting'] as const) {
      const err = (() => {
        try {
          planAbort(canary({ phase, revision: 'r3' }));
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(CliError);
      expect((err as CliError).exitCode).toBe(1);
      expect((err as CliError).message).toContain(`(phase ${phase})`);
    }
  });
});

describe('planResume', () => {
  it('unsuspends only a suspended canary', () => {
    expect(planResume(canary({}, true))).toEqual({
      patch: { spec: { suspend: false } },
      message: 'podinfo.test resumed: spec.suspend set to false',
    });
    expect(planResume(canary({}, false))).toEqual({
      message: 'podinfo.test is not suspended; nothing changed',
    });
  });
});
