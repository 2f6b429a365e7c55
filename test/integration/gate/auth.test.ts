/**
 * The gate API's Kubernetes-native authentication and authorisation against the real API server:
 * ServiceAccount tokens from the TokenRequest API, checked by TokenReview, and RBAC grants on Canaries,
 * checked by SubjectAccessReview. A team approves only its own releases, and only once per revision.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startController, type RunningController } from '../../../src/controller/run.ts';
import { kubeAccessReviewer, kubernetesGateAuth } from '../../../src/gate/auth.ts';
import { parseGateRecord } from '../../../src/gate/record.ts';
import { startGateServer, type GateServer } from '../../../src/gate/server.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { GATE_ANNOTATION } from '../../../src/resources/meta.ts';
import { changeImage } from '../cli/support.ts';
import { canaryManifest, createCanary, createPodinfo, getCanary } from '../fixtures.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';
import { gateCall, grantCanaryUpdate, serviceAccount, type Account } from './accounts.ts';

describe('gate API: TokenReview and SubjectAccessReview', () => {
  const log = createLogger('warn');
  let kube: Kube;
  let a: { name: string; cleanup: () => Promise<void> };
  let b: { name: string; cleanup: () => Promise<void> };
  let gate: GateServer;
  const controllers: RunningController[] = [];
  let approverA: Account;
  let bystanderA: Account;
  let approverB: Account;

  const phaseIs = (namespace: string, phase: string) => async () => {
    const c = await getCanary(kube, namespace);
    return c.status?.phase === phase ? c : undefined;
  };
  const call = (path: string, namespace: string, token?: string, extra: object = {}) =>
    gateCall(gate.url, path, { name: 'podinfo', namespace, ...extra }, token);
  /** RBAC changes reach the authorizer shortly after they are written; wait, so no denial gets cached. */
  const allowed = (who: Account, namespace: string) =>
    waitFor(`${who.username} may update canaries in ${namespace}`, async () => {
      const review = await kube.authz.createSubjectAccessReview({
        body: {
          spec: {
            user: who.username,
            groups: [
              'system:serviceaccounts',
              `system:serviceaccounts:${who.namespace}`,
              'system:authenticated',
            ],
            resourceAttributes: {
              group: 'kanaria.dev',
              resource: 'canaries',
              verb: 'update',
              namespace,
              name: 'podinfo',
            },
          },
        },
      });
      return review.status?.allowed === true;
    });

  beforeAll(async () => {
    kube = testKube();
    a = await freshNamespace(kube, 'gate-a');
    b = await freshNamespace(kube, 'gate-b');
    approverA = await serviceAccount(kube, a.name, 'approver');
    bystanderA = await serviceAccount(kube, a.name, 'bystander');
    approverB = await serviceAccount(kube, b.name, 'approver');
    await grantCanaryUpdate(kube, a.name, approverA);
    await grantCanaryUpdate(kube, b.name, approverB);
    await allowed(approverA, a.name);
    await allowed(approverB, b.name);
    gate = await startGateServer({
      kube,
      log,
      auth: kubernetesGateAuth(kubeAccessReviewer(kube)),
      host: '127.0.0.1',
      port: 0,
    });
    for (const ns of [a.name, b.name])
      controllers.push(await startController({ kubeconfig: kubeconfigPath(), namespace: ns, log }));
  });
  afterAll(async () => {
    for (const c of controllers) await c.stop();
    await gate?.close();
    await a?.cleanup();
    await b?.cleanup();
  });

  it("lets A's approver release A's canary, and no one else: 401 without a token, 403 without the grant", async () => {
    for (const ns of [a.name, b.name]) {
      await createPodinfo(kube, ns);
      await createCanary(
        kube,
        canaryManifest(ns, {
          interval: '2s',
          maxWeight: 20,
          stepWeight: 10,
          webhooks: [{ name: 'ask-a-person', type: 'confirm-rollout', url: `${gate.url}/gate/check` }],
        }),
      );
    }
    for (const ns of [a.name, b.name]) await waitFor(`Initialized in ${ns}`, phaseIs(ns, 'Initialized'));
    for (const ns of [a.name, b.name]) await changeImage(kube, ns, '6.0.1');
    const waiting = await waitFor('Waiting in A', phaseIs(a.name, 'Waiting'));
    await waitFor('Waiting in B', phaseIs(b.name, 'Waiting'));
    const revision = waiting.status!.revision!;
    expect(revision).toBeTruthy();

    expect(await call('/gate/open', a.name)).toMatchObject({ status: 401 });
    expect(await call('/gate/open', a.name, 'not-a-token')).toMatchObject({ status: 401 });
    // A token with a broken signature: the API server does not accept it either.
    expect(await call('/gate/open', a.name, `${approverA.token.slice(0, -4)}AAAA`)).toMatchObject({
      status: 401,
    });
    expect(await call('/gate/open', a.name, bystanderA.token)).toEqual({
      status: 403,
      text: `Forbidden: user ${bystanderA.username} may not update canaries.kanaria.dev podinfo in namespace ${a.name}`,
    });
    expect(await call('/rollback/open', a.name, bystanderA.token)).toMatchObject({ status: 403 });
    expect(await call('/gate/open', a.name, approverB.token)).toMatchObject({ status: 403 });
    expect(await call('/gate/open', b.name, approverA.token)).toMatchObject({ status: 403 });

    // Refused calls changed nothing: both releases stay held, with no traffic.
    await sleep(5000);
    for (const ns of [a.name, b.name]) {
      const c = await getCanary(kube, ns);
      expect(c.status?.phase, ns).toBe('Waiting');
      expect(c.status?.canaryWeight ?? 0, ns).toBe(0);
      expect(c.metadata.annotations?.[GATE_ANNOTATION], ns).toBeUndefined();
    }
    expect(await call('/gate/check', a.name)).toMatchObject({ status: 403 });

    const opened = await call('/gate/open', a.name, approverA.token);
    expect(opened).toEqual({
      status: 200,
      text: `gate opened for revision ${revision} of podinfo.${a.name} by ${approverA.username}`,
    });
    const record = parseGateRecord((await getCanary(kube, a.name)).metadata.annotations?.[GATE_ANNOTATION]);
    expect(record).toMatchObject({ state: 'open', revision, by: approverA.username });
    expect(Date.now() - Date.parse(record!.at!)).toBeLessThan(60_000);
    expect(await call('/gate/check', a.name)).toMatchObject({ status: 200 });

    const events = await kube.events.listNamespacedEvent({
      namespace: a.name,
      fieldSelector: 'regarding.name=podinfo,reason=GateOpened',
    });
    expect(events.items.map((e) => e.note)).toEqual([
      `Gate opened by ${approverA.username} for revision ${revision} of podinfo.${a.name}: its confirm-* webhooks on /gate/check pass for this revision only`,
    ]);
    expect(events.items[0].regarding).toMatchObject({ kind: 'Canary', name: 'podinfo', namespace: a.name });

    await waitFor('Succeeded in A', phaseIs(a.name, 'Succeeded'), 90_000);
    const primary = await kube.apps.readNamespacedDeployment({ name: 'podinfo-primary', namespace: a.name });
    expect(primary.spec?.template.spec?.containers[0].image).toContain(':6.0.1');
    expect((await getCanary(kube, b.name)).status?.phase).toBe('Waiting');
  });

  it('does not carry an approval over to the next revision', async () => {
    const before = (await getCanary(kube, a.name)).status?.revision;
    await changeImage(kube, a.name, '6.0.2');
    const waiting = await waitFor('the next release Waiting', async () => {
      const c = await getCanary(kube, a.name);
      if (c.status?.phase === 'Waiting' && c.status.revision !== before) return c;
      throw new Error(`status ${JSON.stringify(c.status)}`);
    });
    const revision = waiting.status!.revision!;
    // The annotation still says open, for the revision before.
    expect(parseGateRecord(waiting.metadata.annotations?.[GATE_ANNOTATION])).toMatchObject({
      state: 'open',
      revision: before,
    });
    expect(await call('/gate/check', a.name)).toMatchObject({ status: 403, text: 'Forbidden' });
    await sleep(5000);
    expect((await getCanary(kube, a.name)).status).toMatchObject({ phase: 'Waiting', revision });

    // An approval names the revision it is for when the caller says so: a stale one is refused.
    expect(await call('/gate/open', a.name, approverA.token, { revision: before })).toMatchObject({
      status: 409,
    });
    expect(await call('/gate/open', a.name, approverA.token, { revision })).toMatchObject({ status: 200 });
    await waitFor('the next release Succeeded', phaseIs(a.name, 'Succeeded'), 90_000);
  });
});
