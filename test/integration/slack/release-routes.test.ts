/**
 * The link-based equivalent of the Slack buttons for Teams and generic webhooks, against the real
 * control plane: the waiting-approval alert names the commands and the gate API call for the revision;
 * POST /release/approve needs a token the API server accepts (TokenReview) whose user may update the
 * Canary (SubjectAccessReview), and then promotes exactly that revision.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startController, type RunningController } from '../../../src/controller/run.ts';
import { kubeAccessReviewer, kubernetesGateAuth } from '../../../src/gate/auth.ts';
import { startGateServer, type GateServer } from '../../../src/gate/server.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { APPROVE_ANNOTATION } from '../../../src/resources/meta.ts';
import { changeImage } from '../cli/support.ts';
import { canaryManifest, createCanary, createPodinfo, getCanary } from '../fixtures.ts';
import { gateCall, grantCanaryUpdate, serviceAccount } from '../gate/accounts.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';
import { startReceiver, type Receiver } from '../notify/receiver.ts';

describe('gate API decisions for Teams and webhook alerts', () => {
  const log = createLogger('warn');
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let controller: RunningController;
  let gate: GateServer;
  let hook: Receiver;

  beforeAll(async () => {
    kube = testKube();
    hook = await startReceiver();
    ns = await freshNamespace(kube, 'release-routes');
    gate = await startGateServer({
      kube,
      log,
      auth: kubernetesGateAuth(kubeAccessReviewer(kube)),
      host: '127.0.0.1',
      port: 0,
    });
    controller = await startController({ kubeconfig: kubeconfigPath(), namespace: ns.name, log });
  });
  afterAll(async () => {
    await controller?.stop();
    await gate?.close();
    await hook?.close();
    await ns?.cleanup();
  });

  it('the webhook alert names the call; 401 and 403 change nothing; an allowed user approves that revision', async () => {
    const namespace = ns.name;
    const approver = await serviceAccount(kube, namespace, 'approver');
    const bystander = await serviceAccount(kube, namespace, 'bystander');
    await grantCanaryUpdate(kube, namespace, approver);
    await kube.custom.createNamespacedCustomObject({
      group: 'kanaria.dev',
      version: 'v1beta1',
      plural: 'alertproviders',
      namespace,
      body: {
        apiVersion: 'kanaria.dev/v1beta1',
        kind: 'AlertProvider',
        metadata: { name: 'hook' },
        spec: { type: 'webhook', address: `${hook.origin}/alerts` },
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
        alerts: [{ name: 'team', providerRef: { name: 'hook' } }],
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

    const alert = await waitFor('the waiting-approval alert', async () =>
      hook.requests.find((r) => (r.body as { kind?: string }).kind === 'waiting-approval'),
    );
    const body = { namespace, name: 'podinfo', revision };
    expect((alert.body as { approval?: unknown }).approval).toEqual({
      revision,
      canRollback: true,
      commands: {
        approve: `kanaria promote podinfo -n ${namespace}`,
        rollback: `kanaria abort podinfo -n ${namespace}`,
      },
      gateApi: { approve: '/release/approve', rollback: '/release/rollback', body },
    });

    expect((await gateCall(gate.url, '/release/approve', body)).status).toBe(401);
    expect((await gateCall(gate.url, '/release/approve', body, 'not-a-token')).status).toBe(401);
    expect(await gateCall(gate.url, '/release/approve', body, bystander.token)).toEqual({
      status: 403,
      text: `Forbidden: user ${bystander.username} may not update canaries.kanaria.dev podinfo in namespace ${namespace}`,
    });
    await sleep(3000);
    const still = await getCanary(kube, namespace);
    expect(still.status?.phase).toBe('WaitingPromotion');
    expect(still.metadata.annotations?.[APPROVE_ANNOTATION]).toBeUndefined();

    // RBAC reaches the authorizer shortly after it is written: wait until the approver is allowed.
    const approved = await waitFor('the approver is allowed', async () => {
      const r = await gateCall(gate.url, '/release/approve', body, approver.token);
      return r.status === 200 ? r : undefined;
    });
    expect(approved.text).toBe(
      `release ${revision} of podinfo.${namespace} approved by ${approver.username}`,
    );
    await waitFor('Succeeded', async () => (await getCanary(kube, namespace)).status?.phase === 'Succeeded');
    const events = await kube.events.listNamespacedEvent({
      namespace,
      fieldSelector: 'regarding.name=podinfo,reason=Approved',
    });
    expect(events.items.map((e) => e.note)).toEqual([
      `Release ${revision} of podinfo.${namespace} approved by ${approver.username} (gate API): its confirm-* gates and a hold for a person are open for this revision only`,
    ]);
  });
});
