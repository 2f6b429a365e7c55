/**
 * How a person approves or rolls back a release that waits for them, in every alert of that kind:
 * Slack gets buttons (when the provider or the Canary's alert entry lists approvers); every sink gets
 * the `kanaria` commands, and the gate API calls (a bearer token whose user may update the Canary in its
 * namespace, as for /gate/open). Each names the revision, so it never applies to a later release.
 */

/** The gate API paths that take a decision about one revision (see gate/release-routes.ts). */
export const RELEASE_APPROVE_PATH = '/release/approve';
export const RELEASE_ROLLBACK_PATH = '/release/rollback';

export interface ApprovalHints {
  /** The revision waiting: status.revision when the alert was sent. */
  revision: string;
  /** False while the release has not started (Waiting): there is nothing to roll back yet. */
  canRollback: boolean;
  commands: { approve: string; rollback?: string };
  /** POST with `Authorization: Bearer <token>` and this JSON body. */
  gateApi: {
    approve: string;
    rollback?: string;
    body: { namespace: string; name: string; revision: string };
  };
}

export function approvalHints(
  namespace: string,
  name: string,
  revision: string,
  phase: string,
): ApprovalHints {
  const canRollback = phase !== 'Waiting';
  return {
    revision,
    canRollback,
    commands: {
      approve: `kanaria promote ${name} -n ${namespace}`,
      ...(canRollback ? { rollback: `kanaria abort ${name} -n ${namespace}` } : {}),
    },
    gateApi: {
      approve: RELEASE_APPROVE_PATH,
      ...(canRollback ? { rollback: RELEASE_ROLLBACK_PATH } : {}),
      body: { namespace, name, revision },
    },
  };
}

/** Lines for text sinks (Teams): the commands, then the gate API call. */
export function approvalLines(h: ApprovalHints): string[] {
  const body = JSON.stringify(h.gateApi.body);
  const lines = [`Approve revision ${h.revision}: \`${h.commands.approve}\``];
  if (h.commands.rollback) lines.push(`Roll back: \`${h.commands.rollback}\``);
  lines.push(
    `Or on the gate API with a bearer token of a user who may update the Canary: POST ${h.gateApi.approve}${h.gateApi.rollback ? ` (or ${h.gateApi.rollback})` : ''} with ${body}`,
  );
  return lines;
}
