import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startController, type RunningController } from '../../../src/controller/run.ts';
import { kubeAccessReviewer, kubernetesGateAuth } from '../../../src/gate/auth.ts';
import { createKube, type Kube } from '../../../src/kube/client.ts';
import { loadManifests } from '../../../src/kube/manifests.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { canaryManifest, createCanary, createPodinfo, getCanary, setImage } from '../fixtures.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';
import { HookServer } from '../hook-server.ts';
import { chartDir, chartTools, run } from '../chart/tools.ts';
import { serviceAccount } from '../gate/accounts.ts';

const RBAC_KINDS = new Set(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);

describe("the operator under the chart's RBAC", () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let controller: RunningController;
  let hooks: HookServer;
  let tmp: string;
  let applied: KubernetesObject[] = [];
  let logText = '';

  beforeAll(async () => {
    kube = testKube();
    hooks = await new HookServer().start();
    ns = await freshNamespace(kube, 'rbac');
    tmp = await mkdtemp(join(tmpdir(), 'kanaria-rbac-'));
    const tools = await chartTools();
    const release = `k-${ns.name}`;
    const rendered = await run(
      tools.helm,
      ['template', release, chartDir, '--namespace', ns.name, '--set', 'rbac.scope=cluster'],
      {
        ...process.env,
        HELM_CACHE_HOME: join(tmp, 'c'),
        HELM_CONFIG_HOME: join(tmp, 'f'),
        HELM_DATA_HOME: join(tmp, 'd'),
      },
    );
    expect(rendered.code, rendered.stderr).toBe(0);
    applied = loadManifests(rendered.stdout).filter((o) => RBAC_KINDS.has(o.kind!));
    for (const o of applied) {
      o.metadata!.namespace ??= ns.name;
      if (o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding') delete o.metadata!.namespace;
      await kube.objects.patch(o, undefined, undefined, 'test', true, PatchStrategy.ServerSideApply);
    }
    const sa = applied.find((o) => o.kind === 'ServiceAccount')!.metadata!.name!;
    // The same credentials, acting as the chart's ServiceAccount.
    const config = parse(await readFile(kubeconfigPath(), 'utf8')) as {
      users: { user: Record<string, unknown> }[];
    };
    for (const u of config.users) u.user.as = `system:serviceaccount:${ns.name}:${sa}`;
    const impersonating = join(tmp, 'kubeconfig');
    await writeFile(impersonating, stringify(config));
    // Impersonation is in force: an account without the chart's bindings is refused.
    const nobody = structuredClone(config);
    for (const u of nobody.users) u.user.as = `system:serviceaccount:${ns.name}:nobody`;
    await writeFile(join(tmp, 'nobody'), stringify(nobody));
    await expect(
      createKube(join(tmp, 'nobody')).apps.listNamespacedDeployment({ namespace: ns.name }),
    ).rejects.toMatchObject({ code: 403 });
    const sink = new Writable({
      write(chunk, _e, cb) {
        logText += String(chunk);
        cb();
      },
    });
    controller = await startController({
      kubeconfig: impersonating,
      namespace: ns.name,
      log: createLogger('debug', sink),
    });
  });
  afterAll(async () => {
    await controller?.stop();
    await hooks?.stop();
    for (const o of applied.filter((x) => x.kind?.startsWith('Cluster')))
      await kube.objects.delete(o).catch(() => undefined);
    await ns?.cleanup();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('runs a full release and a rollback without a single forbidden request', async () => {
    const namespace = ns.name;
    await createPodinfo(kube, namespace);
    await createCanary(
      kube,
      canaryManifest(namespace, {
        threshold: 1,
        webhooks: [{ name: 'load-test', type: 'rollout', url: `${hooks.url}/load`, timeout: '5s' }],
      }),
    );
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Initialized',
    );
    await setImage(kube, namespace, '6.0.1');
    await waitFor(
      'Succeeded',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Succeeded',
      90_000,
    );
    hooks.answer('/load', 500);
    await setImage(kube, namespace, '6.0.2');
    await waitFor(
      'Failed',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Failed',
      90_000,
    );
    expect(logText).toContain('Promotion completed!');
    // The rollback's events go out after the status that records it is written.
    await waitFor('the rollback event', async () => logText.includes('Canary failed!'), 10_000).catch(
      () => undefined,
    );
    expect(logText).toContain('Canary failed!');
    expect(logText).not.toMatch(/forbidden|\b403\b/i);
  });

  it("lets the gate API review its callers (TokenReview, SubjectAccessReview) under the chart's RBAC", async () => {
    const caller = await serviceAccount(kube, ns.name, 'caller');
    const auth = kubernetesGateAuth(kubeAccessReviewer(createKube(join(tmp, 'kubeconfig'))));
    const identity = await auth.authenticate(caller.token);
    expect(identity?.username).toBe(caller.username);
    expect(await auth.authenticate('not-a-token')).toBeUndefined();
    expect(await auth.authorize(identity!, { namespace: ns.name, name: 'podinfo' })).toBe(false);
    // Without the chart's grant the API server refuses the review itself.
    await expect(
      kubeAccessReviewer(createKube(join(tmp, 'nobody'))).reviewToken(caller.token),
    ).rejects.toMatchObject({
      code: 403,
    });
  });
});
