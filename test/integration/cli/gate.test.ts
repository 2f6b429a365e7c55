import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startController, type RunningController } from '../../../src/controller/run.ts';
import { kubeAccessReviewer, kubernetesGateAuth } from '../../../src/gate/auth.ts';
import { parseGateRecord } from '../../../src/gate/record.ts';
import { startGateServer, type GateServer } from '../../../src/gate/server.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { APPROVE_ANNOTATION, GATE_ANNOTATION } from '../../../src/resources/meta.ts';
import { canaryManifest, createCanary, createPodinfo, getCanary, PODINFO_IMAGE } from '../fixtures.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';
import { grantCanaryUpdate, serviceAccount, type Account } from '../gate/accounts.ts';
import { changeImage, runCli, spawnCli } from './support.ts';

describe('manual gating: the gate API and kanaria promote', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let controller: RunningController | undefined;
  let gate: GateServer;
  /** A ServiceAccount allowed to update the Canaries of the test namespace: it may open and close gates. */
  let approver: Account;
  const log = createLogger('warn');
  const startGate = (port = 0) =>
    startGateServer({
      kube,
      log,
      auth: kubernetesGateAuth(kubeAccessReviewer(kube)),
      host: '127.0.0.1',
      port,
    });
  const start = async () =>
    (controller = await startController({ kubeconfig: kubeconfigPath(), namespace: ns.name, log }));
  const stop = async () => {
    await controller?.stop();
    controller = undefined;
  };
  const phaseIs = (phase: string) => async () => {
    const c = await getCanary(kube, ns.name);
    return c.status?.phase === phase ? c : undefined;
  };
  /** One connection per request: the gate server is restarted on the same port during the test. */
  const post = (path: string, body: object, token?: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        `${gate.url}${path}`,
        {
          method: 'POST',
          agent: false,
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'cli-gate');
    approver = await serviceAccount(kube, ns.name, 'approver');
    await grantCanaryUpdate(kube, ns.name, approver);
    gate = await startGate();
    await start();
  });
  afterAll(async () => {
    await stop();
    await gate?.close();
    await ns.cleanup();
  });

  it('holds a release at the gate until kanaria promote approves it, across an operator restart', async () => {
    const namespace = ns.name;
    await createPodinfo(kube, namespace);
    await createCanary(
      kube,
      canaryManifest(namespace, {
        interval: '2s',
        maxWeight: 20,
        stepWeight: 10,
        webhooks: [{ name: 'gate', type: 'confirm-rollout', url: `${gate.url}/gate/check` }],
      }),
    );
    await waitFor('Initialized', phaseIs('Initialized'));

    await changeImage(kube, namespace, '6.0.1');
    const waiting = await waitFor('Waiting', phaseIs('Waiting'));
    expect(waiting.status?.revision).toBeTruthy();
    expect((await post('/gate/check', { name: 'podinfo', namespace })).status).toBe(403);
    expect((await post('/gate/check', { name: 'nope', namespace })).status).toBe(404);
    expect((await post('/gate/check', { name: 'nope', namespace })).text).toBe(
      `canary nope not found in namespace ${namespace}`,
    );
    expect((await post('/gate/open', { name: 'podinfo', namespace })).status).toBe(401);

    // The approval is written while no operator runs: it lives in the cluster, not in a process.
    await stop();
    const promoted = await runCli(['promote', 'podinfo', '-n', namespace]);
    expect(promoted.stderr).toBe('');
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toContain(`release ${waiting.status?.revision} of podinfo.${namespace} approved`);
    const approved = await getCanary(kube, namespace);
    expect(approved.metadata.annotations?.[APPROVE_ANNOTATION]).toBe(waiting.status?.revision);

    await start();
    await waitFor('Succeeded', phaseIs('Succeeded'), 90_000);
    const primary = await kube.apps.readNamespacedDeployment({ name: 'podinfo-primary', namespace });
    expect(primary.spec?.template.spec?.containers[0].image).toBe(`${PODINFO_IMAGE}:6.0.1`);

    // Nothing pending any more: promote says so and fails.
    const again = await runCli(['promote', 'podinfo', '-n', namespace]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      `canary podinfo in namespace ${namespace} has no release pending or running`,
    );
  });

  it('opens the gate through the API; the state survives a restart of the gate server', async () => {
    const namespace = ns.name;
    await changeImage(kube, namespace, '6.0.2');
    await waitFor('Waiting', phaseIs('Waiting'));

    const waiting = await getCanary(kube, namespace);
    const opened = await post('/gate/open', { name: 'podinfo', namespace }, approver.token);
    expect(opened.status).toBe(200);
    const annotation = (await getCanary(kube, namespace)).metadata.annotations?.[GATE_ANNOTATION];
    expect(parseGateRecord(annotation)).toMatchObject({
      state: 'open',
      revision: waiting.status?.revision,
      by: approver.username,
    });

    // A new gate server on the same address answers from the Canary's annotation.
    const port = Number(new URL(gate.url).port);
    await gate.close();
    gate = await startGate(port);
    expect((await post('/gate/check', { name: 'podinfo', namespace })).status).toBe(200);
    await waitFor('Succeeded', phaseIs('Succeeded'), 90_000);

    expect((await post('/gate/close', { name: 'podinfo', namespace }, approver.token)).status).toBe(200);
    expect((await post('/gate/check', { name: 'podinfo', namespace })).status).toBe(403);
  });

  it('kanaria gate takes a shared token only with --auth token', async () => {
    const res = await runCli([
      'gate',
      '--listen-address',
      '127.0.0.1:0',
      '--token-secret',
      'gate-token',
      '-n',
      ns.name,
    ]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('--token-secret is only used with --auth token');
  });

  it('serves the gate API with kanaria gate --auth token, its token read from a Secret', async () => {
    const namespace = ns.name;
    await kube.core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'gate-token' }, stringData: { token: 'from-secret' } },
    });
    const cli = spawnCli([
      'gate',
      '--listen-address',
      '127.0.0.1:0',
      '--auth',
      'token',
      '--token-secret',
      'gate-token',
      '-n',
      namespace,
      '--log-level',
      'info',
    ]);
    try {
      const url = await waitFor(
        'the gate API to listen',
        async () => /"url":"([^"]+)"/.exec(cli.stdout())?.[1],
        30_000,
      );
      const previous = gate;
      gate = { ...previous, url };
      try {
        // In token mode a Kubernetes token is just another wrong token.
        expect((await post('/gate/close', { name: 'podinfo', namespace }, approver.token)).status).toBe(401);
        expect((await post('/gate/close', { name: 'podinfo', namespace }, 'from-secret')).status).toBe(200);
        const annotation = (await getCanary(kube, namespace)).metadata.annotations?.[GATE_ANNOTATION];
        expect(parseGateRecord(annotation)).toMatchObject({
          state: 'closed',
          by: 'holder of the shared gate token',
        });
        expect((await post('/gate/approve', {})).status).toBe(200);
        expect((await post('/gate/halt', {})).text).toBe('Forbidden');
        expect((await post('/rollback/check', { name: 'podinfo', namespace })).status).toBe(403);
      } finally {
        gate = previous;
      }
    } finally {
      cli.child.kill('SIGINT');
    }
    const exited = await cli.exited;
    expect(exited.code).toBe(0);
    expect(exited.stdout).toContain('"gateAuth":"token"');
    expect(exited.stdout + exited.stderr).not.toContain('from-secret');
  });

  it('reports a missing canary', async () => {
    const res = await runCli(['promote', 'ghost', '-n', ns.name]);
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe(`canary ghost not found in namespace ${ns.name}`);
  });
});
