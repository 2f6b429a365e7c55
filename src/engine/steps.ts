/**
 * `analysis.steps`: a release as an ordered list of weights, header routes and pauses. The step in force
 * is recorded in status (currentStep, stepStartTime); the routes it implies are derived from the steps up
 * to it, so the engine and the shell agree on them after any crash.
 */
import type { CanaryAnalysis, HttpMatch } from '../api/types.ts';
import type { ReleaseStep } from '../api/steps.ts';
import { approvalOpensPause } from '../api/steps.ts';
export { topStepWeight } from '../api/steps.ts';
import { parseDuration } from '../api/duration.ts';
import type { Decision } from './context.ts';

/** The steps of a release, or undefined when the Canary uses stepWeight/stepWeights or iterations. */
export function releaseSteps(analysis: CanaryAnalysis): ReleaseStep[] | undefined {
  return analysis.steps && analysis.steps.length > 0 ? analysis.steps : undefined;
}

/** The step at `index`, when the Canary has steps and the index is one of them. */
export function stepAt(analysis: CanaryAnalysis, index: number | undefined): ReleaseStep | undefined {
  return index === undefined ? undefined : releaseSteps(analysis)?.[index];
}

/**
 * The routes in force once the steps up to `index` ran: the last weight set (0 before any), and the header
 * route set by the last setHeaderRoute (none when that one had no match, or before any).
 */
export function routesAtStep(
  steps: ReleaseStep[],
  index: number | undefined,
): { weight: number; header?: HttpMatch[] } {
  let weight = 0;
  let header: HttpMatch[] | undefined;
  for (let i = 0; index !== undefined && i <= index && i < steps.length; i++) {
    const step = steps[i];
    if (step.setWeight !== undefined) weight = step.setWeight;
    if (step.setHeaderRoute)
      header = (step.setHeaderRoute.match ?? []).length > 0 ? step.setHeaderRoute.match : undefined;
  }
  return header ? { weight, header } : { weight };
}

function conditionText(match: HttpMatch[]): string {
  const parts = match.map((m) =>
    [...Object.entries(m.headers ?? {}), ...Object.entries(m.queryParams ?? {})]
      .map(([name, value]) => {
        const [kind, text] = Object.entries(value ?? {}).find(([, v]) => typeof v === 'string') ?? ['', ''];
        return kind === 'exact' ? `${name}=${text}` : `${name}~${kind}:${text}`;
      })
      .join(' and '),
  );
  return parts.join(' or ');
}

/** One line for people: `setWeight 10`, `header route x-canary=insider`, `pause 10m`, `pause until approved`. */
export function describeStep(step: ReleaseStep): string {
  const every = step.interval ? ` (interval ${step.interval})` : '';
  if (step.setWeight !== undefined) return `setWeight ${step.setWeight}${every}`;
  if (step.setHeaderRoute) {
    const match = step.setHeaderRoute.match ?? [];
    return match.length > 0 ? `header route ${conditionText(match)}${every}` : `remove header route${every}`;
  }
  if (step.pause) return step.pause.duration ? `pause ${step.pause.duration}` : 'pause until approved';
  return 'empty step';
}

/**
 * When the next look at the release is due: an interval after the last analysis, and for a timed pause
 * no later than its end. Undefined before the first analysis step.
 */
export function nextLookDue(d: Decision): number | undefined {
  const { status } = d;
  if (!status.lastStepTime) return undefined;
  const due = Date.parse(status.lastStepTime) + d.intervalMs;
  const end = pauseEnd(d);
  return end === undefined ? due : Math.min(due, end);
}

function pauseEnd(d: Decision): number | undefined {
  const step = stepAt(d.s.spec.analysis, d.status.currentStep);
  if (!step?.pause?.duration || !d.status.stepStartTime) return undefined;
  return Date.parse(d.status.stepStartTime) + parseDuration(step.pause.duration);
}

/**
 * Whether a person approved this revision while the open pause that began at `since` waited: an approval
 * recorded before the pause began (for an earlier gate) does not open it. An approval without a record
 * of when it was made (an annotation written by hand) opens it.
 */
export function approvedDuringPause(d: Decision, since: string | undefined): boolean {
  const { requests, revision } = d.s;
  if (requests.approve !== revision) return false;
  const record = requests.decision;
  const at = record?.decision === 'approve' && record.revision === revision ? record.at : undefined;
  return approvalOpensPause(at, since);
}

/**
 * Whether the step in force is a pause that still holds the release; sets the message and the next look.
 * The checks keep running during a pause (the caller analysed this interval already).
 */
export function pauseHolds(d: Decision): boolean {
  const { status } = d;
  const steps = releaseSteps(d.s.spec.analysis);
  const index = status.currentStep;
  const step = stepAt(d.s.spec.analysis, index);
  if (!steps || index === undefined || !step?.pause) return false;
  const where = `step ${index + 1}/${steps.length}`;
  const end = pauseEnd(d);
  if (end !== undefined) {
    if (d.now >= end) return false;
    status.message = `paused at ${where} for ${step.pause.duration}: ${Math.ceil((end - d.now) / 1000)} s left`;
    d.requeue(end - d.now);
    return true;
  }
  if (approvedDuringPause(d, status.stepStartTime)) {
    const record = d.s.requests.decision;
    const by = record?.decision === 'approve' && record.revision === d.s.revision ? ` by ${record.by}` : '';
    d.event('Normal', 'Synced', `Pause at ${where} of ${d.id} approved${by}: continuing`);
    return false;
  }
  status.message = `paused at ${where} until approved (kanaria promote ${d.s.name} -n ${d.s.namespace}, or Approve in Slack)`;
  return true;
}

/** The step after the one in force; undefined after the last. */
export function nextStepIndex(d: Decision): number | undefined {
  const steps = releaseSteps(d.s.spec.analysis) ?? [];
  const next = (d.status.currentStep ?? -1) + 1;
  return next < steps.length ? next : undefined;
}

/** The routes in force now and once step `index` is, and whether the header route changes between them. */
function routeChange(d: Decision, steps: ReleaseStep[], index: number) {
  const before = routesAtStep(steps, d.status.currentStep);
  const after = routesAtStep(steps, index);
  return { before, after, headerChanges: JSON.stringify(after.header) !== JSON.stringify(before.header) };
}

/** Whether entering step `index` gives the canary more traffic: a higher weight or a new header route. */
export function raisesTraffic(d: Decision, index: number): boolean {
  const { before, after, headerChanges } = routeChange(d, releaseSteps(d.s.spec.analysis) ?? [], index);
  return after.weight > before.weight || (after.header !== undefined && headerChanges);
}

/** Puts step `index` in force: its routes, the record of when it began, its event and (an open pause) alert. */
export function enterStep(d: Decision, index: number): undefined {
  const steps = releaseSteps(d.s.spec.analysis)!;
  const step = steps[index];
  const { status } = d;
  const { before, after, headerChanges } = routeChange(d, steps, index);
  status.currentStep = index;
  status.stepStartTime = d.nowIso;
  if (after.weight !== before.weight || headerChanges)
    d.setWeight(after.weight, after.header !== undefined, after.header);
  const where = `step ${index + 1}/${steps.length}`;
  d.event('Normal', 'Synced', `Advance ${d.id} to ${where}: ${describeStep(step)}`);
  status.message = `${where}: ${describeStep(step)}`;
  if (step.pause && !step.pause.duration)
    d.alerts.push({
      kind: 'waiting-approval',
      severity: 'info',
      message: `Release of ${d.id} paused at ${where} until approved`,
    });
  d.stepDone();
  const end = pauseEnd(d);
  if (end !== undefined) d.requeue(Math.max(end - d.now, 0));
  return undefined;
}
