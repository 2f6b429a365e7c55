/**
 * Slack approvals for the steps tests: a gate server with the Slack interactivity endpoint, a local
 * Slack-shaped server for the alerts and the response_url answers, an AlertProvider whose approver list
 * names ALICE, and `press`, which sends a signed Approve as Slack would.
 */
import type { Logger } from '../../../src/observability/logger.ts';
import { kubeAccessReviewer, kubernetesGateAuth } from '../../../src/gate/auth.ts';
import { startGateServer, type GateServer } from '../../../src/gate/server.ts';
import type { Kube } from '../../../src/kube/client.ts';
import type { ReleaseRef } from '../../../src/slack/action-value.ts';
import { blockActionsBody, slackHeaders } from '../../../src/slack/testing.ts';
import { startReceiver, type Receiver } from '../notify/receiver.ts';

export const SIGNING_SECRET = 'c0ffee00a1b2c3d4e5f60718293a4b5c';
export const ALICE = 'U0ALICE01';
export const MALLORY = 'U0MALLORY';
export const ALICE_BY = `Slack user alice (${ALICE})`;

export interface SlackApprovals {
  gate: GateServer;
  /** POSTs a signed Approve of `release` by `userId` to /slack/interactivity. */
  press(
    release: ReleaseRef,
    userId: string,
    options?: { secret?: string; at?: number },
  ): Promise<{ status: number; text: string }>;
  /** Creates the AlertProvider `slack` (approvers: ALICE) in `namespace`. */
  createProvider(namespace: string): Promise<void>;
  close(): Promise<void>;
}

export async function startSlackApprovals(kube: Kube, log: Logger): Promise<SlackApprovals> {
  const slack: Receiver = await startReceiver();
  const responses: Receiver = await startReceiver();
  const gate = await startGateServer({
    kube,
    log,
    auth: kubernetesGateAuth(kubeAccessReviewer(kube)),
    host: '127.0.0.1',
    port: 0,
    slack: { signingSecret: SIGNING_SECRET, responseOrigins: [responses.origin] },
  });
  return {
    gate,
    async press(release, userId, options = {}) {
      const body = blockActionsBody({
        action: 'approve',
        release,
        userId,
        userName: userId === ALICE ? 'alice' : 'mallory',
        responseUrl: `${responses.origin}/actions/T0001/1/x`,
        messageTs: '1764673200.000100',
      });
      const res = await fetch(`${gate.url}/slack/interactivity`, {
        method: 'POST',
        headers: slackHeaders(options.secret ?? SIGNING_SECRET, body, options.at ?? Date.now()),
        body,
      });
      return { status: res.status, text: await res.text() };
    },
    async createProvider(namespace) {
      await kube.custom.createNamespacedCustomObject({
        group: 'kanaria.dev',
        version: 'v1beta1',
        plural: 'alertproviders',
        namespace,
        body: {
          apiVersion: 'kanaria.dev/v1beta1',
          kind: 'AlertProvider',
          metadata: { name: 'slack' },
          spec: { type: 'slack', address: `${slack.origin}/services/T0001/B0001/hook`, approvers: [ALICE] },
        },
      });
    },
    async close() {
      await gate.close();
      await slack.close();
      await responses.close();
    },
  };
}
