// What the API server's audit log says about one measured run: the controller's requests per canary
// per step (all of them, and those of weight steps alone) and, for Kanaria, the step lag at the API
// server split into its parts.
import type { BenchCluster, ControllerName } from './cluster.ts';
import { countRequests, requestsPerWeightStep, type Recorder } from './measure.ts';
import { describeStepParts, stepPartsFromAudit, type StepParts } from './step-parts.ts';

export interface AuditFigures {
  canarySteps: number;
  apiPerCanaryStep: Record<string, number>;
  apiTotalPerCanaryStep: number;
  apiTop: Record<string, number>;
  apiPerWeightStep: number;
  apiPerWeightStepTop: Record<string, number>;
  stepParts?: StepParts;
}

export interface AuditInput {
  cluster: BenchCluster;
  controller: ControllerName;
  rec: Recorder;
  names: string[];
  bumped: Map<string, number>;
  firstBump: number;
  lastDone: number;
  /** Weight steps of a whole release, and the interval between them. */
  steps: number;
  intervalMs: number;
  /** The release was cut short: figures are divided by the weight steps made instead. */
  timedOut: boolean;
  log: (line: string) => void;
}

const largest = (entries: [string, number][]) =>
  Object.fromEntries(entries.sort((a, b) => b[1] - a[1]).slice(0, 8));

export async function auditFigures(o: AuditInput): Promise<AuditFigures> {
  const { cluster, controller, rec, names, bumped, steps } = o;
  const username = cluster.usernames[controller];
  await new Promise((r) => setTimeout(r, 1500)); // the audit log is written as requests complete
  const api = await countRequests(cluster.auditLog, username, o.firstBump, o.lastDone);
  // Per canary: the weight steps it made (distinct weights above 0 since its bump).
  const stepsOf = new Map(
    names.map((x) => [
      x,
      new Set((rec.weights.get(x) ?? []).filter(([t, w]) => t >= bumped.get(x)! && w > 0).map(([, w]) => w))
        .size,
    ]),
  );
  const perWeightStep = await requestsPerWeightStep(cluster.auditLog, username, bumped, stepsOf);
  const stepParts =
    controller === 'kanaria'
      ? await stepPartsFromAudit(cluster.auditLog, username, bumped, steps, o.intervalMs)
      : undefined;
  if (stepParts) o.log(`[${controller} n=${names.length}] ${describeStepParts(stepParts)}`);
  // A release cut short is measured over the weight steps it made.
  const stepsSeen = [...stepsOf.values()].reduce((sum, k) => sum + k, 0);
  const canarySteps = o.timedOut ? Math.max(1, stepsSeen) : names.length * steps;
  const per = (v: number) => +(v / canarySteps).toFixed(2);
  return {
    canarySteps: o.timedOut ? stepsSeen : canarySteps,
    apiPerCanaryStep: Object.fromEntries(Object.entries(api.byVerb).map(([k, v]) => [k, per(v)])),
    apiTotalPerCanaryStep: per(api.total),
    apiTop: largest(Object.entries(api.byVerbResource).map(([k, v]) => [k, per(v)])),
    apiPerWeightStep: perWeightStep.perStep,
    apiPerWeightStepTop: largest(Object.entries(perWeightStep.byVerbResource)),
    ...(stepParts ? { stepParts } : {}),
  };
}
