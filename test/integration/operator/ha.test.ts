import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kube } from '../../../src/kube/client.ts';
import {
  canaryManifest,
  createCanary,
  createPodinfo,
  getCanary,
  recordWeights,
  setImage,
} from '../fixtures.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';
import { OperatorProcess } from './process.ts';

describe('two operator processes with leader election', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  const procs: OperatorProcess[] = [];

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'ha');
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.kill()));
    await ns.cleanup();
  });

  it('only the leader writes; killing it hands over within the lease duration and the release completes', async () => {
    const namespace = ns.name;
    const args = [
      '--kubeconfig',
      kubeconfigPath(),
      '--namespace',
      namespace,
      '--log-level',
      'info',
      '--leader-elect',
      '--leader-election-namespace',
      namespace,
      '--lease-duration',
      '4s',
    ];
    const a = await OperatorProcess.start(args);
    procs.push(a);
    await waitFor('A leads', () => a.isLeader(), 30_000);
    const b = await OperatorProcess.start(args);
    procs.push(b);
    await waitFor('B serves metrics', async () => (await b.metrics()).includes('kanaria_leader 0'), 30_000);

    await createPodinfo(kube, namespace);
    await createCanary(kube, canaryManifest(namespace));
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Initialized',
    );
    const weights = recordWeights(kube, namespace);
    await setImage(kube, namespace, '6.0.1');
    await waitFor(
      'weight 20',
      async () => ((await getCanary(kube, namespace)).status?.canaryWeight ?? 0) >= 20,
      30_000,
      50,
    );
    expect(await b.isLeader()).toBe(false);
    // Only the leader reconciles: the standby has logged no decision so far.
    expect(b.output).not.toContain('Advance podinfo');

    const killedAt = Date.now();
    await a.kill('SIGKILL');
    await waitFor('B leads', () => b.isLeader(), 15_000, 100);
    const handover = Date.now() - killedAt;
    expect(handover).toBeLessThanOrEqual(4000 + 2000);

    await waitFor(
      'Succeeded',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Succeeded',
      90_000,
    );
    await weights.stop();
    expect(weights.seen).toEqual([0, 10, 20, 30, 40, 50, 0]);
    const primary = await kube.apps.readNamespacedDeployment({ name: 'podinfo-primary', namespace });
    expect(primary.spec?.template.spec?.containers[0].image).toBe('ghcr.io/stefanprodan/podinfo:6.0.1');
    expect(b.output).toContain('Promotion completed!');
  });
});
