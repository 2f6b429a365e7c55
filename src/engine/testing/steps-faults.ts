/**
 * analysis.steps in the fault property test (decide.faults.property.test.ts): the steps of the Canaries it
 * draws, people approving at random moments, and the invariants only steps have.
 */
import type { CanaryAnalysis } from '../../api/types.ts';
import type { ReleaseStep } from '../../api/steps.ts';
import { parseDuration } from '../../api/duration.ts';
import { routesAtStep } from '../steps.ts';
import { revisionOf, type World } from './world.ts';

export const STEP_INVARIANTS = [
  'routes differ from the recorded step',
  'open pause passed without an approval made while it waited',
  'timed pause ended early',
] as const;
type StepInvariant = (typeof STEP_INVARIANTS)[number];

const OPEN_PAUSE = 2;
const TIMED_PAUSE = 4;
const TIMED_PAUSE_DURATION = '20s';

/** header → stepWeight → pause {} → max → pause 20 s, then promotion. */
export function stepsAnalysis(analysis: CanaryAnalysis, stepWeight: number, max: number): CanaryAnalysis {
  const steps: ReleaseStep[] = [
    { setHeaderRoute: { match: [{ headers: { 'x-canary': { exact: 'insider' } } }] } },
    { setWeight: Math.min(stepWeight, max) },
    { pause: {} },
    { setWeight: max },
    { pause: { duration: TIMED_PAUSE_DURATION } },
  ];
  const { stepWeight: _step, maxWeight: _max, stepWeightPromotion: _promotion, ...rest } = analysis;
  return { ...rest, interval: '5s', steps };
}

/** A person approves the revision the target runs now, recorded with the time. */
export function approveNow(w: World, now: number): void {
  const revision = revisionOf(w);
  w.requests = {
    ...w.requests,
    approve: revision,
    decision: { decision: 'approve', revision, by: 'alice', via: 'Slack', at: new Date(now).toISOString() },
  };
}

interface Before {
  step?: number;
  stepStart?: string;
  release?: string;
}

const ROUTED = new Set(['Progressing', 'WaitingPromotion']);

/** Watches one steps Canary across reconciles. */
export class StepsWatch {
  heldAtOpenPause = false;
  /** The furthest step index a release reached (-1: none). */
  furthest = -1;
  private readonly w: World;

  constructor(w: World) {
    this.w = w;
  }

  before(): Before {
    const { status } = this.w;
    return { step: status.currentStep, stepStart: status.stepStartTime, release: status.releaseStartTime };
  }

  /** The invariants broken by the reconcile that ran at `now`; `clean`: it met no fault. */
  after(before: Before, now: number, clean: boolean): StepInvariant[] {
    const { w } = this;
    const { status } = w;
    const broken: StepInvariant[] = [];
    const steps = w.spec.analysis.steps ?? [];
    if (clean && ROUTED.has(status.phase ?? '')) {
      const expected = routesAtStep(steps, status.currentStep);
      if (w.weight !== (status.canaryWeight ?? 0) || w.match !== (expected.header !== undefined))
        broken.push('routes differ from the recorded step');
      if ((status.canaryWeight ?? 0) !== expected.weight) broken.push('routes differ from the recorded step');
    }
    if (status.currentStep === OPEN_PAUSE && status.message?.startsWith('paused at'))
      this.heldAtOpenPause = true;
    this.furthest = Math.max(this.furthest, status.currentStep ?? -1);
    if (before.release !== status.releaseStartTime || before.step === undefined) return broken;
    const left = status.currentStep !== before.step || status.phase === 'Promoting';
    if (before.step === OPEN_PAUSE && left && ['Progressing', 'Promoting'].includes(status.phase ?? '')) {
      const decision = w.requests.decision;
      const approved =
        w.requests.approve === revisionOf(w) &&
        (decision === undefined || Date.parse(decision.at) >= Date.parse(before.stepStart ?? ''));
      if (!approved) broken.push('open pause passed without an approval made while it waited');
    }
    if (before.step === TIMED_PAUSE && left && status.phase === 'Promoting')
      if (now - Date.parse(before.stepStart ?? '') < parseDuration(TIMED_PAUSE_DURATION))
        broken.push('timed pause ended early');
    return broken;
  }
}
