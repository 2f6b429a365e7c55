/**
 * Slack's interactivity endpoint: a person pressed Approve or Roll back on a waiting-approval alert.
 * Every request is checked in this order, and each refusal changes nothing:
 * 401 — the signature does not match the signing secret, or the timestamp is stale (never answered in
 *       Slack: the request may not come from Slack at all);
 * 400 — not a block_actions payload naming a release;
 * 404 — no such Canary;
 * 403 — the Slack user is not on the Canary's approver lists (see approvers.ts);
 * 409 — the release is no longer the one the button names, or has nothing to approve or roll back;
 * 200 — the decision is written (decide in gate/approval.ts), for that revision only.
 * From 403 on, the user also gets the answer in Slack through the request's response_url.
 */
import type { Canary } from '../api/types.ts';
import { decide, type DecisionStore } from '../gate/approval.ts';
import { approversOf, type ProviderLookup } from './approvers.ts';
import { parseInteraction, type SlackApprovalRequest } from './payload.ts';
import type { SlackReply } from './respond.ts';
import { verifySlackSignature } from './signature.ts';

export const SLACK_INTERACTIVITY_PATH = '/slack/interactivity';

export interface InteractivityRequest {
  method: string;
  /** X-Slack-Request-Timestamp */
  timestamp?: string;
  /** X-Slack-Signature */
  signature?: string;
  /** The raw body. */
  body: string;
}

export interface InteractivityAnswer {
  status: number;
  body: string;
}

/** A decision or a refusal after the signature was verified, for logs. */
export interface InteractivityOutcome {
  status: number;
  message: string;
  user?: string;
  canary?: string;
  action?: string;
  revision?: string;
}

export interface InteractivityContext {
  signingSecret: string;
  now: () => number;
  canaries: (namespace: string, name: string) => Promise<Canary | undefined>;
  providers: ProviderLookup;
  decisions: DecisionStore;
  /** Sends an answer to response_url in the background; must not throw. */
  reply: (responseUrl: string, reply: SlackReply) => void;
  onOutcome?: (outcome: InteractivityOutcome) => void;
  onEventError?: (err: unknown) => void;
}

const answer = (status: number, body: string): InteractivityAnswer => ({ status, body });

/** How records and Events name a Slack user. */
export function slackUserLabel(user: SlackApprovalRequest['user']): string {
  return `Slack user ${user.name ? `${user.name} (${user.id})` : user.id}`;
}

export async function answerInteraction(
  req: InteractivityRequest,
  ctx: InteractivityContext,
): Promise<InteractivityAnswer> {
  if (req.method !== 'POST') return answer(405, 'Method Not Allowed: use POST');
  const verified = verifySlackSignature(req, ctx.signingSecret, ctx.now());
  if (!verified.ok) {
    ctx.onOutcome?.({ status: 401, message: verified.reason });
    return answer(401, `Unauthorized: ${verified.reason}`);
  }
  const parsed = parseInteraction(req.body);
  if (parsed.kind === 'invalid') return answer(400, `Bad Request: ${parsed.reason}`);
  if (parsed.kind === 'ignored') return answer(200, '');
  const request = parsed.request;
  const { namespace, name, revision } = request.release;
  const id = `${name}.${namespace}`;
  const settle = (status: number, message: string, reply: SlackReply): InteractivityAnswer => {
    ctx.onOutcome?.({ status, message, user: request.user.id, canary: id, action: request.action, revision });
    if (request.responseUrl) ctx.reply(request.responseUrl, reply);
    return answer(status, message);
  };
  const mention = `<@${request.user.id}>`;

  const canary = await ctx.canaries(namespace, name);
  if (!canary)
    return settle(404, `canary ${name} not found in namespace ${namespace}`, {
      text: `:grey_question: ${id} no longer exists; nothing changed.`,
      ephemeral: true,
    });
  const approvers = await approversOf(canary, ctx.providers);
  if (!approvers.users.has(request.user.id)) {
    const lists = approvers.sources.length > 0 ? approvers.sources.join(', ') : 'none is set';
    return settle(
      403,
      `Forbidden: ${slackUserLabel(request.user)} is not an approver of ${id} (approver lists: ${lists})`,
      {
        text: `:no_entry: ${mention}, you are not on the approver list of ${id}; nothing changed. Ask its owners to add your Slack member ID to an approvers list.`,
        ephemeral: true,
      },
    );
  }

  const outcome = await decide(
    ctx.decisions,
    { namespace, name, revision, decision: request.action, by: slackUserLabel(request.user), via: 'Slack' },
    new Date(ctx.now()),
    ctx.onEventError,
  );
  const done = outcome.status === 200 && outcome.record;
  const text = done
    ? request.action === 'approve'
      ? `:white_check_mark: ${mention} approved release ${revision} of ${id}: it continues.`
      : `:rewind: ${mention} asked to roll back release ${revision} of ${id}: traffic goes back to the primary.`
    : `:information_source: ${mention}: ${outcome.message}.`;
  return settle(outcome.status, outcome.message, { text, threadTs: request.messageTs, ephemeral: !done });
}
