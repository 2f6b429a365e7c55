import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseGateRecord } from '../../../src/gate/record.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { GATE_ANNOTATION } from '../../../src/resources/meta.ts';
import { changeImage } from '../cli/support.ts';
import { canaryManifest, createCanary, createPodinfo, getCanary } from '../fixtures.ts';
import { gateCall, grantCanaryUpdate, serviceAccount, type Account } from '../gate/accounts.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';
import { OperatorProcess } from './process.ts';

describe('gate API served by the operator', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let op: OperatorProcess | undefined;
  let approver: Account;
  let bystander: Account;

  const start = async (args: string[]) => {
    op = await OperatorProcess.start(['--kubeconfig', kubeconfigPath(), '--namespace', ns.name, ...args]);
    const gateUrl = op.gateUrl;
    await waitFor(
      'gate API serving',
      async () => (await fetch(`${gateUrl}/healthz`).catch(() => undefined))?.status === 200,
      30_000,
    );
    return op;
  };
  const phaseIs = (phase: string) => async () => {
    const c = await getCanary(kube, ns.name);
    return c.status?.phase === phase ? c : undefined;
  };

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'opgate');
    approver = await serviceAccount(kube, ns.name, 'approver');
    bystander = await serviceAccount(kube, ns.name, 'bystander');
    await grantCanaryUpdate(kube, ns.name, approver);
    await createPodinfo(kube, ns.name);
  });
  afterEach(async () => {
    await op?.kill();
    op = undefined;
  });
  afterAll(async () => {
    await ns.cleanup();
  });

  it('by default serves the gate on its own address and checks callers with TokenReview and SubjectAccessReview', async () => {
    const namespace = ns.name;
    const { url, gateUrl } = await start([]);
    expect(op!.output).toContain('"gateAuth":"kubernetes"');
    // Metrics and health stay on the listen address; the gate is not served there.
    expect((await fetch(`${url}/gate/check`, { method: 'POST', body: '{}' })).status).toBe(404);

    await createCanary(
      kube,
      canaryManifest(namespace, {
        interval: '2s',
        maxWeight: 10,
        stepWeight: 10,
        webhooks: [{ name: 'approval', type: 'confirm-rollout', url: `${gateUrl}/gate/check` }],
      }),
    );
    await waitFor('Initialized', phaseIs('Initialized'));
    await changeImage(kube, namespace, '6.0.1');
    const waiting = await waitFor('Waiting', phaseIs('Waiting'));
    const body = { name: 'podinfo', namespace };
    expect((await gateCall(gateUrl, '/gate/check', body)).status).toBe(403);
    expect((await gateCall(gateUrl, '/gate/open', body)).status).toBe(401);
    expect((await gateCall(gateUrl, '/gate/open', body, 'wrong')).status).toBe(401);
    expect((await gateCall(gateUrl, '/gate/open', body, bystander.token)).status).toBe(403);
    expect(await gateCall(gateUrl, '/gate/open', body, approver.token)).toEqual({
      status: 200,
      text: `gate opened for revision ${waiting.status?.revision} of podinfo.${namespace} by ${approver.username}`,
    });
    expect((await gateCall(gateUrl, '/gate/check', body)).status).toBe(200);
    await waitFor('Succeeded', phaseIs('Succeeded'), 90_000);
    expect(op!.output).toContain(`"user":"${bystander.username}"`);
    expect(op!.output).toContain('gate change refused');
    for (const token of [approver.token, bystander.token]) expect(op!.output).not.toContain(token);
  });

  it('takes a shared token only with --gate-auth token, read from its Secret', async () => {
    const namespace = ns.name;
    await kube.core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'gate-token' }, stringData: { token: 't0ken' } },
    });
    const refused = new OperatorProcess(
      ['--kubeconfig', kubeconfigPath(), '--namespace', namespace, '--gate-token-secret', 'gate-token'],
      0,
      0,
    );
    const code = await new Promise<number | null>((r) => refused.child.once('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(refused.output).toContain('--gate-token-secret is only used with --gate-auth token');

    const { gateUrl } = await start([
      '--gate-auth',
      'token',
      '--gate-token-secret',
      'gate-token',
      '--alert-secret-namespace',
      namespace,
    ]);
    const body = { name: 'podinfo', namespace };
    expect((await gateCall(gateUrl, '/gate/close', body)).status).toBe(401);
    expect((await gateCall(gateUrl, '/gate/close', body, approver.token)).status).toBe(401);
    expect((await gateCall(gateUrl, '/gate/close', body, 't0ken')).status).toBe(200);
    const annotation = (await getCanary(kube, namespace)).metadata.annotations?.[GATE_ANNOTATION];
    expect(parseGateRecord(annotation)).toMatchObject({
      state: 'closed',
      by: 'holder of the shared gate token',
    });
    expect((await gateCall(gateUrl, '/gate/check', body)).status).toBe(403);
    expect(op!.output).not.toContain('t0ken');
  });

  it('warns when started with --gate-auth none', async () => {
    const { gateUrl } = await start(['--gate-auth', 'none']);
    expect(op!.output).toContain('gate API without authentication');
    expect(op!.output).toContain('"level":40');
    const res = await gateCall(gateUrl, '/gate/close', { name: 'podinfo', namespace: ns.name });
    expect(res.status).toBe(200);
  });
});
