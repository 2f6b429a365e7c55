/**
 * The part of a Slack `block_actions` interactivity payload Kanaria acts on. Slack POSTs it as
 * application/x-www-form-urlencoded with one field, `payload`, holding JSON.
 */
import { actionOf, parseActionValue, type ApprovalAction, type ReleaseRef } from './action-value.ts';

export interface SlackUser {
  /** The Slack user ID, e.g. U024BE7LH: what approver lists name. */
  id: string;
  /** The user name Slack sends, for messages only. */
  name?: string;
}

export interface SlackApprovalRequest {
  action: ApprovalAction;
  release: ReleaseRef;
  user: SlackUser;
  /** Where to answer (POST JSON); only present when Slack sent one. */
  responseUrl?: string;
  /** The alert message's ts, to answer in its thread. */
  messageTs?: string;
}

export type ParsedInteraction =
  | { kind: 'approval'; request: SlackApprovalRequest }
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; reason: string };

const record = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

const optionalString = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : undefined;

/** Reads the form body of an interactivity request. */
export function parseInteraction(formBody: string): ParsedInteraction {
  const raw = new URLSearchParams(formBody).get('payload');
  if (raw === null) return { kind: 'invalid', reason: 'the form has no payload field' };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { kind: 'invalid', reason: 'the payload field is not JSON' };
  }
  const payload = record(json);
  if (!payload) return { kind: 'invalid', reason: 'the payload is not a JSON object' };
  if (payload.type !== 'block_actions')
    return { kind: 'ignored', reason: `payload type ${JSON.stringify(payload.type)} is not block_actions` };
  const user = record(payload.user);
  const userId = optionalString(user?.id);
  if (!userId) return { kind: 'invalid', reason: 'the payload names no user.id' };
  const actions = Array.isArray(payload.actions) ? payload.actions : [];
  const first = actions.map(record).find((a) => a && actionOf(a.action_id));
  if (!first) return { kind: 'ignored', reason: 'no Kanaria action in the payload' };
  const release = parseActionValue(first.value);
  if (!release)
    return { kind: 'invalid', reason: 'the action value does not name a namespace, name and revision' };
  const message = record(payload.message);
  const container = record(payload.container);
  return {
    kind: 'approval',
    request: {
      action: actionOf(first.action_id)!,
      release,
      user: { id: userId, name: optionalString(user?.username) ?? optionalString(user?.name) },
      responseUrl: optionalString(payload.response_url),
      messageTs: optionalString(message?.ts) ?? optionalString(container?.message_ts),
    },
  };
}
