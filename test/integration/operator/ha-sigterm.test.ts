import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
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
import { HookServer } from '../hook-server.ts';
import { OperatorProcess } from './process.ts';

/** The chart's terminationGracePeriodSeconds. */
const GRACE_MS = 30_000;

describe('SIGTERM of the leader during a release with a slow check', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let hooks: HookServer;
  const procs: OperatorProcess[] = [];

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'sigterm');
    hooks = await new HookServer().start();
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.kill('SIGKILL')));
    await hooks?.stop();
    await ns?.cleanup();
  });

  it('exits within the grace period, releases the Lease, and the next leader finishes the release', async () => {
    const namespace = ns.name;
    const args = [
      '--kubeconfig',
      kubeconfigPath(),
      '--namespace',
      namespace,
      '--leader-elect',
      '--leader-election-namespace',
      namespace,
      '--lease-duration',
      '15s',
      '--no-gate',
    ];
    const a = await OperatorProcess.start(args);
    procs.push(a);
    await waitFor('A leads', () => a.isLeader(), 30_000, 100);
    const b = await OperatorProcess.start(args);
    procs.push(b);
    await waitFor('B stands by', async () => (await b.metrics()).includes('kanaria_leader 0'), 30_000, 100);
    await createPodinfo(kube, namespace);
    await createCanary(
      kube,
      canaryManifest(namespace, {
        interval: '1s',
        maxWeight: 30,
        webhooks: [{ name: 'slow-check', url: `${hooks.url}/slow`, timeout: '5m' }],
      }),
    );
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Initialized',
    );
    const weights = recordWeights(kube, namespace);
    // A check that would take far longer than the grace period while A is the one waiting on it.
    let slow = true;
    hooks.observe = async () => {
      if (slow) await sleep(120_000);
    };
    const before = hooks.calls.length;
    await setImage(kube, namespace, '6.0.1');
    await waitFor('a slow check in flight', async () => hooks.calls.length > before, 60_000, 20);
    slow = false;
    const sentAt = Date.now();
    const exited = new Promise<number | null>((resolve) => a.child.once('exit', (code) => resolve(code)));
    a.child.kill('SIGTERM');
    const code = await exited;
    const exitMs = Date.now() - sentAt;
    const lease = await kube.coordination.readNamespacedLease({ name: 'kanaria-leader', namespace });
    await waitFor('B leads', () => b.isLeader(), 30_000, 100);
    const takeoverMs = Date.now() - sentAt;
    await waitFor(
      'Succeeded',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Succeeded',
      90_000,
    );
    await weights.stop();
    console.log(
      `SIGTERM: the leader exited with ${code} after ${exitMs} ms (grace ${GRACE_MS} ms); Lease holder then "${lease.spec?.holderIdentity ?? ''}"; the standby led ${takeoverMs} ms after the signal; weights ${weights.seen.join(' → ')}`,
    );
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(GRACE_MS);
    // A released the Lease as it exited; the standby, trying every retry period, may hold it by this read.
    expect(['', `${hostname()}-${b.child.pid}`]).toContain(lease.spec?.holderIdentity ?? '');
    expect(takeoverMs).toBeLessThan(10_000);
    expect(weights.seen).toEqual([0, 10, 20, 30, 0]);
    expect((await getCanary(kube, namespace)).status?.failedChecks).toBe(0);
  });
});
