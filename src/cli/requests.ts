/**
 * `kanaria promote|abort|resume`: requests on a Canary. promote and abort write an annotation whose
 * value is the status.revision they are for, so a request never applies to a later release.
 */
import type { Command } from 'commander';
import { openPauseSince } from '../api/steps.ts';
import type { Canary, Phase } from '../api/types.ts';
import { DECISION_ANNOTATION, type DecisionRecord } from '../gate/approval.ts';
import { patchCanary } from '../kube/canaries.ts';
import { CLI_FIELD_MANAGER } from '../kube/field-managers.ts';
import type { Kube } from '../kube/client.ts';
import { ABORT_ANNOTATION, APPROVE_ANNOTATION, PROMOTE_ANNOTATION } from '../resources/meta.ts';
import { CliError, connect, mustReadCanary, notFound, run, withKubeFlags, type KubeFlags } from './common.ts';

/** What a request writes (a merge patch of the Canary) and what to tell the user. */
export interface RequestPlan {
  patch?: object;
  message: string;
}

const PENDING: readonly Phase[] = ['Waiting', 'Progressing', 'WaitingPromotion'];
const RUNNING: readonly Phase[] = ['Progressing', 'WaitingPromotion'];
const PROMOTING: readonly Phase[] = ['Promoting', 'Finalising'];

const idOf = (c: Canary) => `${c.metadata.name}.${c.metadata.namespace}`;
const where = (c: Canary) => `canary ${c.metadata.name} in namespace ${c.metadata.namespace}`;

function revisionOf(c: Canary): string {
  const revision = c.status?.revision;
  if (!revision)
    throw new CliError(`${where(c)} has no status.revision yet: the controller has not recorded the release`);
  return revision;
}

const annotate = (annotations: Record<string, string>) => ({ metadata: { annotations } });

/** Through what the CLI decides, and who decides when the kubeconfig names no user. */
export const CLI_VIA = 'kanaria CLI';

/** Who approves from the command line, and when. */
export interface CliApprover {
  /** The Kubernetes user of the kubeconfig's current context, else `kanaria CLI`. */
  by: string;
  now: Date;
}

export function cliApprover(kube: Kube, now = new Date()): CliApprover {
  return { by: kube.kc.getCurrentUser()?.name || CLI_VIA, now };
}

/** The approve annotation and the record of who approved, which opens the open pause the release waits at. */
function approval(revision: string, approver: CliApprover): Record<string, string> {
  const record: DecisionRecord = {
    decision: 'approve',
    revision,
    by: approver.by,
    via: CLI_VIA,
    at: approver.now.toISOString(),
  };
  return { [APPROVE_ANNOTATION]: revision, [DECISION_ANNOTATION]: JSON.stringify(record) };
}

/** `: pause at step 3/6 approved` when the release waits at an open pause; empty otherwise. */
function pauseApproved(c: Canary): string {
  const steps = c.spec.analysis.steps ?? [];
  if (openPauseSince(c) === undefined || c.status?.currentStep === undefined) return '';
  return `: pause at step ${c.status.currentStep + 1}/${steps.length} approved`;
}

/** approve (or with `full` also promote) the pending or running release. */
export function planPromote(
  c: Canary,
  full: boolean,
  approver: CliApprover = { by: CLI_VIA, now: new Date() },
): RequestPlan {
  const phase = c.status?.phase;
  if (phase && PROMOTING.includes(phase))
    return {
      message: `release ${c.status?.revision ?? ''} of ${idOf(c)} is already being promoted (${phase})`,
    };
  if (!phase || !PENDING.includes(phase))
    throw new CliError(
      `${where(c)} has no release pending or running (phase ${phase ?? 'unknown'}); nothing to promote`,
    );
  const revision = revisionOf(c);
  if (full)
    // The approval opens confirm-rollout too, so that a release still Waiting starts and is promoted.
    return {
      patch: annotate({ ...approval(revision, approver), [PROMOTE_ANNOTATION]: revision }),
      message: `promotion of release ${revision} of ${idOf(c)} requested (${phase}): the remaining analysis is skipped`,
    };
  return {
    patch: annotate(approval(revision, approver)),
    message:
      `release ${revision} of ${idOf(c)} approved (${phase}) by ${approver.by}` +
      (pauseApproved(c) || ': its confirm gates are open'),
  };
}

export function planAbort(c: Canary): RequestPlan {
  const phase = c.status?.phase;
  if (!phase || !RUNNING.includes(phase))
    throw new CliError(
      `${where(c)} has no release in progress to abort (phase ${phase ?? 'unknown'}); abort works while Progressing or WaitingPromotion`,
    );
  const revision = revisionOf(c);
  return {
    patch: annotate({ [ABORT_ANNOTATION]: revision }),
    message: `abort of release ${revision} of ${idOf(c)} requested: traffic goes back to ${c.spec.targetRef.name}-primary`,
  };
}

export function planResume(c: Canary): RequestPlan {
  if (c.spec.suspend !== true) return { message: `${idOf(c)} is not suspended; nothing changed` };
  return { patch: { spec: { suspend: false } }, message: `${idOf(c)} resumed: spec.suspend set to false` };
}

function requestCommand(
  program: Command,
  name: string,
  description: string,
  plan: (c: Canary, flags: KubeFlags & { full?: boolean }, kube: Kube) => RequestPlan,
): Command {
  return withKubeFlags(
    program.command(name).description(description).argument('<name>', 'Canary name'),
  ).action(
    run(async (canaryName: string, flags: KubeFlags & { full?: boolean }) => {
      const { kube, namespace } = connect(flags);
      const canary = await mustReadCanary(kube, namespace, canaryName);
      const { patch, message } = plan(canary, flags, kube);
      if (patch && !(await patchCanary(kube, namespace, canaryName, patch, CLI_FIELD_MANAGER)))
        throw notFound(canaryName, namespace);
      process.stdout.write(`${message}\n`);
    }),
  );
}

export function registerPromote(program: Command): void {
  requestCommand(
    program,
    'promote',
    'approve the pending or running release (opens its confirm-* gates and the open pause it waits at); --full skips the remaining analysis',
    (c, flags, kube) => planPromote(c, flags.full === true, cliApprover(kube)),
  ).option('--full', 'promote now: skip the remaining analysis steps');
}

export function registerAbort(program: Command): void {
  requestCommand(program, 'abort', 'roll the running release back now', planAbort);
}

export function registerResume(program: Command): void {
  requestCommand(program, 'resume', 'unsuspend a Canary (spec.suspend: false)', planResume);
}
