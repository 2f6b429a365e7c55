/**
 * Approvals from Slack against the real control plane: a release waits at a closed confirm-promotion
 * gate; its Slack alert (received by a local Slack-shaped server) carries Approve and Roll back buttons;
 * a Slack-shaped client signs interactivity requests with the app's signing secret and sends them to the
 * gate server's /slack/interactivity. Refused requests change nothing; an allowed user's Approve lets
 * the release promote, the Event names them, and the answer goes to the request's response_url.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startController, type RunningController } from '../../../src/controller/run.ts';
import { kubeAccessReviewer, kubernetesGateAuth } from '../../../src/gate/auth.ts';
import { DECISION_ANNOTATION, parseDecisionRecord } from '../../../src/gate/approval.ts';
import { startGateServer, type GateServer } from '../../../src/gate/server.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { APPROVE_ANNOTATION } from '../../../src/resources/meta.ts';
import { parseActionValue, type ReleaseRef } from '../../../src/slack/action-value.ts';
import { blockActionsBody, slackHeaders } from '../../../src/slack/testing.ts';
import { changeImage } from '../cli/support.ts';
import { canaryManifest, createCanary, createPodinfo, getCanary } from '../fixtures.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';
import { startReceiver, type ReceivedRequest, type Receiver } from '../notify/receiver.ts';

const SIGNING_SECRET = 'e2b1f3c4d5a6978812345678abcdef90';
const ALICE = 'U0ALICE01';
const MALLORY = 'U0MALLORY';

type Block = { type: string; elements?: { action_id: string; value: string }[] };

describe('Slack approvals', () => {
  const log = createLogger('warn');
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let controller: RunningController;
  let gate: GateServer;
  let slack: Receiver;
  let responses: Receiver;

  beforeAll(async () => {
    kube = testKube();
    slack = await startReceiver();
    responses = await startReceiver();
    ns = await freshNamespace(kube, 'slack');
    gate = await startGateServer({
      kube,
      log,
      auth: kubernetesGateAuth(kubeAccessReviewer(kube)),
      host: '127.0.0.1',
      port: 0,
      slack: { signingSecret: SIGNING_SECRET, responseOrigins: [responses.origin] },
    });
    controller = await startController({ kubeconfig: kubeconfigPath(), namespace: ns.name, log });
  });
  afterAll(async () => {
    await controller?.stop();
    await gate?.close();
    await slack?.close();
    await responses?.close();
    await ns?.cleanup();
  });

  /** POSTs a Slack-shaped interactivity request, signed with `secret` at `at`. */
  const press = async (
    release: ReleaseRef,
    userId: string,
    options: { secret?: string; at?: number } = {},
  ): Promise<{ status: number; text: string }> => {
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
  };

  const actionsOf = (r: ReceivedRequest) =>
    ((r.body as { blocks?: Block[] } | undefined)?.blocks ?? []).find((b) => b.type === 'actions');

  it('an allowed user approves from Slack; bad signatures, replays and users not on the list change nothing', async () => {
    const namespace = ns.name;
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
    await createPodinfo(kube, namespace);
    await createCanary(
      kube,
      canaryManifest(namespace, {
        interval: '2s',
        maxWeight: 20,
        stepWeight: 10,
        webhooks: [{ name: 'ask-a-person', type: 'confirm-promotion', url: `${gate.url}/gate/check` }],
        alerts: [{ name: 'team', severity: 'info', providerRef: { name: 'slack' } }],
      }),
    );
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Initialized',
    );
    await changeImage(kube, namespace, '6.0.1');
    const waiting = await waitFor('WaitingPromotion', async () => {
      const c = await getCanary(kube, namespace);
      return c.status?.phase === 'WaitingPromotion' ? c : undefined;
    });
    const revision = waiting.status!.revision!;

    // The waiting-approval alert carries the buttons, naming this revision.
    const alert = await waitFor('the Slack alert with buttons', async () => slack.requests.find(actionsOf));
    const buttons = actionsOf(alert)!.elements!;
    expect(buttons.map((b) => b.action_id)).toEqual(['kanaria-approve', 'kanaria-rollback']);
    const release = parseActionValue(buttons[0].value)!;
    expect(release).toEqual({ namespace, name: 'podinfo', revision });

    const wrongSecret = await press(release, ALICE, { secret: 'not-the-signing-secret' });
    expect(wrongSecret).toEqual({
      status: 401,
      text: 'Unauthorized: X-Slack-Signature does not match the signing secret',
    });
    const replayed = await press(release, ALICE, { at: Date.now() - 6 * 60_000 });
    expect(replayed.status).toBe(401);
    expect(replayed.text).toMatch(/stale or replayed request/);
    const stranger = await press(release, MALLORY);
    expect(stranger).toEqual({
      status: 403,
      text: `Forbidden: Slack user mallory (${MALLORY}) is not an approver of podinfo.${namespace} (approver lists: AlertProvider ${namespace}/slack)`,
    });
    const toldStranger = await responses.next();
    expect(toldStranger.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });

    // Refused requests changed nothing: the release keeps waiting at its weight.
    await sleep(5000);
    const still = await getCanary(kube, namespace);
    expect(still.status?.phase).toBe('WaitingPromotion');
    expect(still.status?.canaryWeight).toBe(20);
    expect(still.metadata.annotations?.[APPROVE_ANNOTATION]).toBeUndefined();
    expect(responses.requests).toHaveLength(1);

    const approved = await press(release, ALICE);
    expect(approved).toEqual({
      status: 200,
      text: `release ${revision} of podinfo.${namespace} approved by Slack user alice (${ALICE})`,
    });
    const answer = await responses.next();
    expect(answer.body).toEqual({
      response_type: 'in_channel',
      replace_original: false,
      text: `:white_check_mark: <@${ALICE}> approved release ${revision} of podinfo.${namespace}: it continues.`,
      thread_ts: '1764673200.000100',
    });

    const done = await waitFor('Succeeded', async () => {
      const c = await getCanary(kube, namespace);
      return c.status?.phase === 'Succeeded' ? c : undefined;
    });
    expect(done.status?.lastPromotedSpec).toBe(waiting.status?.lastAppliedSpec);
    expect(parseDecisionRecord(done.metadata.annotations?.[DECISION_ANNOTATION])).toMatchObject({
      decision: 'approve',
      revision,
      by: `Slack user alice (${ALICE})`,
      via: 'Slack',
    });
    const events = await kube.events.listNamespacedEvent({
      namespace,
      fieldSelector: 'regarding.name=podinfo,reason=Approved',
    });
    expect(events.items.map((e) => e.note)).toEqual([
      `Release ${revision} of podinfo.${namespace} approved by Slack user alice (${ALICE}) (Slack): its confirm-* gates and a hold for a person are open for this revision only`,
    ]);

    // The button of a finished release: nothing to approve any more.
    const late = await press(release, ALICE);
    expect(late.status).toBe(409);
  });
});
