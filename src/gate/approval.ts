/**
 * An approval (or a rollback request) of one revision of a Canary, made by a named person through some
 * channel (Slack, the gate API). It writes what `kanaria promote` / `kanaria abort` write — the
 * revision in the approve or abort annotation, which the engine honours for that revision only — plus a
 * record of who decided, and an Event naming them. A gate that waits for a person (a closed confirm-*
 * webhook, a marginal judge score, a pause step) opens when the approve annotation names its revision.
 */
import type { Phase } from '../api/types.ts';
import { approvalOpensPause } from '../api/steps.ts';
import { ABORT_ANNOTATION, ANNOTATION_PREFIX, APPROVE_ANNOTATION } from '../resources/meta.ts';

/** The last decision made about a release by a person, as JSON: {decision, revision, by, via, at}. */
export const DECISION_ANNOTATION = `${ANNOTATION_PREFIX}/release-decision`;

export type ReleaseDecision = 'approve' | 'rollback';

export interface DecisionRequest {
  namespace: string;
  name: string;
  /** The revision the person saw and decided about. */
  revision: string;
  decision: ReleaseDecision;
  /** Who, for the record and the Event: `Slack user alice (U024BE7LH)`, a Kubernetes user name. */
  by: string;
  /** Through what: `Slack`, `gate API`. */
  via: string;
}

export interface DecisionRecord {
  decision: ReleaseDecision;
  revision: string;
  by: string;
  via: string;
  at: string;
}

/** What a decision needs to know about the Canary. */
export interface DecisionCanary {
  uid?: string;
  phase?: Phase;
  revision?: string;
  annotations: Record<string, string>;
  /** When the open pause step the release waits at began (status.stepStartTime); absent when at none. */
  openPauseSince?: string;
}

export interface DecisionEvent {
  reason: string;
  action: string;
  note: string;
}

export interface DecisionStore {
  read(namespace: string, name: string): Promise<DecisionCanary | undefined>;
  /** Merges these annotations into the Canary's; false when the Canary is gone. */
  annotate(namespace: string, name: string, annotations: Record<string, string>): Promise<boolean>;
  event(namespace: string, name: string, uid: string | undefined, event: DecisionEvent): Promise<void>;
}

/** 200: done (or already done); 404: no such Canary; 409: not this revision, or nothing to decide. */
export interface DecisionOutcome {
  status: 200 | 404 | 409;
  message: string;
  /** The record written; absent when nothing changed. */
  record?: DecisionRecord;
}

const PENDING: readonly Phase[] = ['Waiting', 'Progressing', 'WaitingPromotion'];
const RUNNING: readonly Phase[] = ['Progressing', 'WaitingPromotion'];

export type DecisionPlan =
  | { kind: 'write'; annotations: Record<string, string>; record: DecisionRecord; message: string }
  | { kind: 'answer'; outcome: DecisionOutcome };

/** What to write for `request` given the Canary as it is now (pure). */
export function planDecision(
  request: DecisionRequest,
  canary: DecisionCanary | undefined,
  at: string,
): DecisionPlan {
  const { namespace, name, revision, decision } = request;
  const id = `${name}.${namespace}`;
  const answer = (status: DecisionOutcome['status'], message: string): DecisionPlan => ({
    kind: 'answer',
    outcome: { status, message },
  });
  if (!canary) return answer(404, `canary ${name} not found in namespace ${namespace}`);
  if (canary.revision !== revision)
    return answer(
      409,
      `release ${revision} of ${id} is no longer the current one (now ${canary.revision ?? 'none'}, phase ${canary.phase ?? 'unknown'}); nothing changed`,
    );
  const phase = canary.phase;
  const key = decision === 'approve' ? APPROVE_ANNOTATION : ABORT_ANNOTATION;
  const allowed = decision === 'approve' ? PENDING : RUNNING;
  if (!phase || !allowed.includes(phase)) {
    const why =
      decision === 'approve'
        ? `has no release waiting (phase ${phase ?? 'unknown'}); nothing to approve`
        : phase === 'Waiting'
          ? 'has not started: it takes no traffic and keeps waiting for approval; nothing to roll back'
          : `has no release in progress (phase ${phase ?? 'unknown'}); nothing to roll back`;
    return answer(409, `release ${revision} of ${id} ${why}`);
  }
  const earlier = parseDecisionRecord(canary.annotations[DECISION_ANNOTATION]);
  const sameDecision = earlier?.revision === revision && earlier.decision === decision ? earlier : undefined;
  const pauseNeedsApproval =
    decision === 'approve' && !approvalOpensPause(sameDecision?.at, canary.openPauseSince);
  if (canary.annotations[key] === revision && !pauseNeedsApproval) {
    const who = sameDecision ? ` by ${sameDecision.by}` : '';
    return answer(200, `release ${revision} of ${id} was already ${pastTense(decision)}${who}`);
  }
  const record: DecisionRecord = { decision, revision, by: request.by, via: request.via, at };
  return {
    kind: 'write',
    annotations: { [key]: revision, [DECISION_ANNOTATION]: JSON.stringify(record) },
    record,
    message: `release ${revision} of ${id} ${pastTense(decision)} by ${request.by}`,
  };
}

const pastTense = (d: ReleaseDecision) => (d === 'approve' ? 'approved' : 'rolled back on request');

export function decisionEvent(r: DecisionRecord, namespace: string, name: string): DecisionEvent {
  const id = `${name}.${namespace}`;
  return r.decision === 'approve'
    ? {
        reason: 'Approved',
        action: 'Approve',
        note: `Release ${r.revision} of ${id} approved by ${r.by} (${r.via}): its confirm-* gates and a hold for a person are open for this revision only`,
      }
    : {
        reason: 'RollbackRequested',
        action: 'Rollback',
        note: `Rollback of release ${r.revision} of ${id} requested by ${r.by} (${r.via}): traffic goes back to the primary`,
      };
}

export function parseDecisionRecord(value: string | undefined): DecisionRecord | undefined {
  if (!value) return undefined;
  try {
    const r = JSON.parse(value) as Partial<DecisionRecord>;
    if (r.decision !== 'approve' && r.decision !== 'rollback') return undefined;
    if (typeof r.revision !== 'string' || typeof r.by !== 'string') return undefined;
    return {
      decision: r.decision,
      revision: r.revision,
      by: r.by,
      via: String(r.via ?? ''),
      at: String(r.at ?? ''),
    };
  } catch {
    return undefined;
  }
}

/** One line for people: `approve of revision 5d8f… by Slack user alice (U0…) via Slack at …`. */
export function describeDecisionRecord(
  value: string | undefined,
  currentRevision?: string,
): string | undefined {
  const r = parseDecisionRecord(value);
  if (!r) return undefined;
  const earlier =
    currentRevision !== undefined && r.revision !== currentRevision ? ' (an earlier revision)' : '';
  return `${r.decision} of revision ${r.revision} by ${r.by}${r.via ? ` via ${r.via}` : ''}${r.at ? ` at ${r.at}` : ''}${earlier}`;
}

/**
 * Applies a decision: reads the Canary, writes the annotations, records an Event. Store errors
 * propagate. An Event that cannot be written does not undo the decision (`onEventError`).
 */
export async function decide(
  store: DecisionStore,
  request: DecisionRequest,
  now: Date,
  onEventError?: (err: unknown) => void,
): Promise<DecisionOutcome> {
  const { namespace, name } = request;
  const canary = await store.read(namespace, name);
  const plan = planDecision(request, canary, now.toISOString());
  if (plan.kind === 'answer') return plan.outcome;
  // The annotation names the revision: were the release replaced since the read, it applies to nothing.
  if (!(await store.annotate(namespace, name, plan.annotations)))
    return { status: 404, message: `canary ${name} not found in namespace ${namespace}` };
  try {
    await store.event(namespace, name, canary?.uid, decisionEvent(plan.record, namespace, name));
  } catch (err) {
    onEventError?.(err);
  }
  return { status: 200, message: plan.message, record: plan.record };
}
