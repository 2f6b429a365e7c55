/** `kanaria get`: the steps of analysis.steps, the one in force marked. */
import type { Canary } from '../api/types.ts';
import { describeStep, releaseSteps } from '../engine/steps.ts';

export interface StepView {
  /** 1-based, as people count. */
  number: number;
  label: string;
  state: 'done' | 'current' | 'next';
}

const ROUTED = new Set(['Progressing', 'WaitingPromotion']);
const PAST = new Set(['Promoting', 'Finalising', 'Succeeded']);

/** The steps with their state; undefined when the Canary has no analysis.steps. */
export function stepViews(canary: Canary): StepView[] | undefined {
  const steps = releaseSteps(canary.spec.analysis);
  if (!steps) return undefined;
  const phase = canary.status?.phase ?? '';
  const current = ROUTED.has(phase) ? canary.status?.currentStep : undefined;
  const allDone = PAST.has(phase);
  return steps.map((step, i) => ({
    number: i + 1,
    label: describeStep(step),
    state: allDone || (current !== undefined && i < current) ? 'done' : i === current ? 'current' : 'next',
  }));
}

const MARK: Record<StepView['state'], string> = { done: '✓', current: '▶', next: ' ' };

/** One line per step: `  ▶ 3. pause until approved`. */
export function stepLines(steps: StepView[]): string[] {
  return ['Steps:', ...steps.map((s) => `  ${MARK[s.state]} ${s.number}. ${s.label}`)];
}
