import { describe, expect, it } from 'vitest';
import type { ReleaseStep } from '../api/steps.ts';
import type { Canary, CanaryStatus } from '../api/types.ts';
import { parseDecisionRecord } from '../gate/approval.ts';
import { CliError } from './common.ts';
import { planAbort, planPromote, planResume, type CliApprover } from './requests.ts';

const approver: CliApprover = { by: 'kind-admin', now: new Date(Date.UTC(2026, 11, 2, 12, 0, 0)) };
const record = (revision: string, by = 'kind-admin') =>
  JSON.stringify({ decision: 'approve', revision, by, via: 'kanaria CLI', at: '2026-12-02T12:00:00.000Z' });

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
  it('approves the revision of a pending or running release, with a record of who approved', () => {
    for (const phase of ['Waiting', 'Progressing', 'WaitingPromotion'] as const)
      expect(planPromote(canary({ phase, revision: 'r2' }), false, approver).patch).toEqual({
        metadata: {
          annotations: { 'kanaria.dev/approve': 'r2', 'kanaria.dev/release-decision': record('r2') },
        },
      });
  });

  it('with full also asks for the promotion', () => {
    const plan = planPromote(canary({ phase: 'Waiting', revision: 'r2' }), true, approver);
    expect(plan.patch).toEqual({
      metadata: {
        annotations: {
          'kanaria.dev/approve': 'r2',
          'kanaria.dev/release-decision': record('r2'),
          'kanaria.dev/promote': 'r2',
        },
      },
    });
    expect(plan.message).toMatch(/remaining analysis is skipped/);
  });

  it('says which open pause it approves; a later promote writes a new record for the next pause', () => {
    const steps: ReleaseStep[] = [{ setWeight: 10 }, { pause: {} }, { setWeight: 30 }, { pause: {} }];
    const paused = (currentStep: number): Canary => {
      const c = canary({
        phase: 'Progressing',
        revision: 'r2',
        currentStep,
        stepStartTime: '2026-12-02T11:00:00Z',
      });
      c.spec.analysis.steps = steps;
      return c;
    };
    const first = planPromote(paused(1), false, approver);
    expect(first.message).toBe(
      'release r2 of podinfo.test approved (Progressing) by kind-admin: pause at step 2/4 approved',
    );
    const later = { by: 'kind-admin', now: new Date(Date.UTC(2026, 11, 2, 12, 30, 0)) };
    const second = planPromote(paused(3), false, later);
    expect(second.message).toMatch(/pause at step 4\/4 approved$/);
    const annotations = (second.patch as { metadata: { annotations: Record<string, string> } }).metadata
      .annotations;
    expect(parseDecisionRecord(annotations['kanaria.dev/release-decision'])?.at).toBe(
      '2026-12-02T12:30:00.000Z',
    );
    expect(planPromote(paused(2), false, approver).message).toMatch(
      /approved \(Progressing\) by kind-admin: its confirm gates are open$/,
    );
  });

  it('without a known Kubernetes user the record names the CLI', () => {
    const plan = planPromote(canary({ phase: 'Waiting', revision: 'r2' }), false);
    const annotations = (plan.patch as { metadata: { annotations: Record<string, string> } }).metadata
      .annotations;
    expect(parseDecisionRecord(annotations['kanaria.dev/release-decision'])).toMatchObject({
      decision: 'approve',
      revision: 'r2',
      by: 'kanaria CLI',
      via: 'kanaria CLI',
    });
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
