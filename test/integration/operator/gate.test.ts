import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kube } from '../../../src/kube/client.ts';
import { canaryManifest, createCanary, createPodinfo } from '../fixtures.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';
import { OperatorProcess } from './process.ts';

describe('gate API served by the operator', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let op: OperatorProcess;

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'opgate');
  });
  afterAll(async () => {
    await op?.kill();
    await ns.cleanup();
  });

  it('needs the token from its Secret to open a gate, and answers checks from the Canary annotations', async () => {
    const namespace = ns.name;
    await kube.core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'gate-token' }, stringData: { token: 't0ken' } },
    });
    await createPodinfo(kube, namespace);
    await createCanary(kube, canaryManifest(namespace));
    op = await OperatorProcess.start([
      '--kubeconfig',
      kubeconfigPath(),
      '--namespace',
      namespace,
      '--gate-token-secret',
      'gate-token',
      '--alert-secret-namespace',
      namespace,
    ]);
    await waitFor('operator serving', async () => (await fetch(`${op.url}/healthz`)).status === 200, 30_000);
    const body = JSON.stringify({ name: 'podinfo', namespace });
    const post = (path: string, token?: string) =>
      fetch(`${op.url}${path}`, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      });
    expect((await post('/gate/check')).status).toBe(403);
    expect((await post('/gate/open')).status).toBe(401);
    expect((await post('/gate/open', 'wrong')).status).toBe(401);
    expect((await post('/gate/open', 't0ken')).status).toBe(202);
    expect((await post('/gate/check')).status).toBe(200);
    expect((await post('/rollback/check')).status).toBe(403);
    expect((await post('/gate/close', 't0ken')).status).toBe(202);
    expect((await post('/gate/check')).status).toBe(403);
    expect(op.output).not.toContain('t0ken');
  });
});
