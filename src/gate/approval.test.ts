import { describe, expect, it } from 'vitest';
import { openPauseSince, type ReleaseStep } from '../api/steps.ts';
import { APPROVE_ANNOTATION } from '../resources/meta.ts';
import {
  DECISION_ANNOTATION,
  decide,
  planDecision,
  type DecisionCanary,
  type DecisionRecord,
  type DecisionRequest,
} from './approval.ts';
import { memoryDecisionStore } from './decision-store.ts';

const approve: DecisionRequest = {
  namespace: 'test',
  name: 'podinfo',
  revision: 'rev-2',
  decision: 'approve',
  by: 'Slack user bob (U0BOB)',
  via: 'Slack',
};

const pauseBegan = '2026-12-02T11:00:00.000Z';
const beforePause = '2026-12-02T10:50:00.000Z';
const duringPause = '2026-12-02T11:05:00.000Z';

function approvedCanary(at: string | undefined, openPause?: string): DecisionCanary {
  const record: DecisionRecord = {
    decision: 'approve',
    revision: 'rev-2',
    by: 'Slack user alice (U0ALICE)',
    via: 'Slack',
    at: at ?? '',
  };
  return {
    phase: 'Progressing',
    revision: 'rev-2',
    annotations: {
      [APPROVE_ANNOTATION]: 'rev-2',
      ...(at !== undefined ? { [DECISION_ANNOTATION]: JSON.stringify(record) } : {}),
    },
    openPauseSince: openPause,
  };
}

describe('planDecision: approvals and open pauses', () => {
  it('answers "already approved" when no open pause waits', () => {
    const plan = planDecision(approve, approvedCanary(beforePause), duringPause);
    expect(plan).toEqual({
      kind: 'answer',
      outcome: {
        status: 200,
        message: 'release rev-2 of podinfo.test was already approved by Slack user alice (U0ALICE)',
      },
    });
  });

  it('answers "already approved" when the approval was made while the open pause waits', () => {
    const plan = planDecision(approve, approvedCanary(duringPause, pauseBegan), duringPause);
    expect(plan.kind).toBe('answer');
    const sameInstant = planDecision(approve, approvedCanary(pauseBegan, pauseBegan), duringPause);
    expect(sameInstant.kind).toBe('answer');
  });

  it('writes a fresh approval for an open pause that began after the earlier approval', () => {
    const now = '2026-12-02T11:10:00.000Z';
    const plan = planDecision(approve, approvedCanary(beforePause, pauseBegan), now);
    expect(plan.kind).toBe('write');
    if (plan.kind !== 'write') return;
    expect(plan.record).toEqual({
      decision: 'approve',
      revision: 'rev-2',
      by: 'Slack user bob (U0BOB)',
      via: 'Slack',
      at: now,
    });
    expect(plan.annotations).toEqual({
      [APPROVE_ANNOTATION]: 'rev-2',
      [DECISION_ANNOTATION]: JSON.stringify(plan.record),
    });
    expect(plan.message).toBe('release rev-2 of podinfo.test approved by Slack user bob (U0BOB)');
  });

  it('an approve annotation without a record opens any pause, as the engine judges: nothing to write', () => {
    expect(planDecision(approve, approvedCanary(undefined, pauseBegan), duringPause).kind).toBe('answer');
  });

  it('an earlier record about another revision or a rollback does not count for the pause', () => {
    const canary = approvedCanary(duringPause, pauseBegan);
    const rollback = { ...JSON.parse(canary.annotations[DECISION_ANNOTATION]), decision: 'rollback' };
    canary.annotations[DECISION_ANNOTATION] = JSON.stringify(rollback);
    // No approval of rev-2 with a time: the engine counts the bare approve annotation, so does planDecision.
    expect(planDecision(approve, canary, duringPause).kind).toBe('answer');
  });

  it('a rollback is not affected by an open pause', () => {
    const canary = {
      ...approvedCanary(beforePause, pauseBegan),
      annotations: { 'kanaria.dev/abort': 'rev-2' },
    };
    const plan = planDecision({ ...approve, decision: 'rollback' }, canary, duringPause);
    expect(plan).toMatchObject({ kind: 'answer', outcome: { status: 200 } });
  });

  it('decide writes the second approval and records an Event for it', async () => {
    const memory = memoryDecisionStore({ 'test/podinfo': approvedCanary(beforePause, pauseBegan) });
    const outcome = await decide(memory.store, approve, new Date(duringPause));
    expect(outcome).toMatchObject({ status: 200, record: { by: 'Slack user bob (U0BOB)', at: duringPause } });
    expect(memory.events.map((e) => e.reason)).toEqual(['Approved']);
    const again = await decide(memory.store, approve, new Date('2026-12-02T11:06:00.000Z'));
    expect(again).toEqual({
      status: 200,
      message: 'release rev-2 of podinfo.test was already approved by Slack user bob (U0BOB)',
    });
    expect(memory.events).toHaveLength(1);
  });
});

describe('openPauseSince', () => {
  const steps: ReleaseStep[] = [{ setWeight: 10 }, { pause: {} }, { pause: { duration: '5m' } }];
  const canary = (currentStep: number | undefined, phase = 'Progressing') => ({
    spec: { analysis: { steps } },
    status: { phase, currentStep, stepStartTime: pauseBegan },
  });

  it('is when the open pause the running release waits at began', () => {
    expect(openPauseSince(canary(1))).toBe(pauseBegan);
    expect(openPauseSince(canary(1, 'WaitingPromotion'))).toBe(pauseBegan);
  });

  it('is undefined at a weight step, a timed pause, before the first step, or outside a running release', () => {
    expect(openPauseSince(canary(0))).toBeUndefined();
    expect(openPauseSince(canary(2))).toBeUndefined();
    expect(openPauseSince(canary(undefined))).toBeUndefined();
    expect(openPauseSince(canary(1, 'Succeeded'))).toBeUndefined();
    expect(openPauseSince(canary(7))).toBeUndefined();
    expect(
      openPauseSince({ spec: { analysis: {} }, status: { phase: 'Progressing', currentStep: 1 } }),
    ).toBeUndefined();
  });
});
