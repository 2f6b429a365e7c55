/** Slack-shaped interactivity requests, as Slack sends them, for tests and for trying the endpoint. */
import { ACTION_IDS, formatActionValue, type ApprovalAction, type ReleaseRef } from './action-value.ts';
import { slackSignature } from './signature.ts';

export interface InteractionOptions {
  action: ApprovalAction;
  release: ReleaseRef;
  userId: string;
  userName?: string;
  responseUrl?: string;
  messageTs?: string;
}

/** The form body of a block_actions request: `payload=<url-encoded JSON>`. */
export function blockActionsBody(o: InteractionOptions): string {
  const payload = {
    type: 'block_actions',
    user: { id: o.userId, username: o.userName, team_id: 'T0001' },
    api_app_id: 'A0001',
    container: { type: 'message', message_ts: o.messageTs, channel_id: 'C0001' },
    channel: { id: 'C0001', name: 'releases' },
    message: { type: 'message', ts: o.messageTs, text: 'waiting for approval' },
    response_url: o.responseUrl,
    actions: [
      {
        type: 'button',
        block_id: 'kanaria-approval',
        action_id: ACTION_IDS[o.action],
        value: formatActionValue(o.release),
        action_ts: o.messageTs,
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** The headers Slack signs a request with, at `nowMs`. */
export function slackHeaders(secret: string, body: string, nowMs: number): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': slackSignature(secret, timestamp, body),
  };
}
