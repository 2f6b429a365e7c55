/**
 * What an Approve or Roll back button names: one revision of one Canary. The value travels through
 * Slack and comes back in the signed interactivity request; it is data, never trusted for who may act.
 */

export const APPROVE_ACTION_ID = 'kanaria-approve';
export const ROLLBACK_ACTION_ID = 'kanaria-rollback';

export type ApprovalAction = 'approve' | 'rollback';

export const ACTION_IDS: Record<ApprovalAction, string> = {
  approve: APPROVE_ACTION_ID,
  rollback: ROLLBACK_ACTION_ID,
};

/** The release a decision is about. */
export interface ReleaseRef {
  namespace: string;
  name: string;
  revision: string;
}

/** The button's value: `{"namespace":…,"name":…,"revision":…}` (Slack allows 2,000 characters). */
export function formatActionValue(ref: ReleaseRef): string {
  return JSON.stringify({ namespace: ref.namespace, name: ref.name, revision: ref.revision });
}

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 253;

export function parseActionValue(value: unknown): ReleaseRef | undefined {
  if (typeof value !== 'string' || value.length > 2000) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { namespace, name, revision } = parsed as Record<string, unknown>;
  if (!nonEmpty(namespace) || !nonEmpty(name) || !nonEmpty(revision)) return undefined;
  return { namespace, name, revision };
}

export function actionOf(actionId: unknown): ApprovalAction | undefined {
  if (actionId === APPROVE_ACTION_ID) return 'approve';
  if (actionId === ROLLBACK_ACTION_ID) return 'rollback';
  return undefined;
}
