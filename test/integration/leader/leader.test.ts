import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LeaderElector } from '../../../src/controller/leader.ts';
import { fromKubeConfig, KubeConfig, type Kube } from '../../../src/kube/client.ts';
import { timeMs } from '../../../src/kube/time.ts';
import type { V1Lease } from '../../../src/kube/types.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';
import { startTcpProxy, type TcpProxy } from './proxy.ts';

const LEASE = 'kanaria-leader';
const TIMING = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };

interface Candidate {
  elector: LeaderElector;
  /** onStartedLeading / onStoppedLeading calls with their times. */
  calls: { kind: 'started' | 'stopped'; at: number }[];
  /** What the callbacks say: true between onStartedLeading and onStoppedLeading. */
  leading: () => boolean;
}

/** The field managers that wrote the Lease, as `kubectl get lease --show-managed-fields` lists them. */
const leaseManagers = (lease: V1Lease) => [...new Set(lease.metadata?.managedFields?.map((e) => e.manager))];

describe('LeaderElector on a Lease', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let candidates: Candidate[] = [];
  let proxies: TcpProxy[] = [];

  function candidate(identity: string, via: Kube = kube): Candidate {
    const calls: Candidate['calls'] = [];
    let leading = false;
    const elector = new LeaderElector({
      kube: via,
      namespace: ns.name,
      name: LEASE,
      identity,
      ...TIMING,
      onStartedLeading: () => {
        leading = true;
        calls.push({ kind: 'started', at: Date.now() });
      },
      onStoppedLeading: () => {
        leading = false;
        calls.push({ kind: 'stopped', at: Date.now() });
      },
    });
    const c = { elector, calls, leading: () => leading };
    candidates.push(c);
    return c;
  }

  async function readLease(): Promise<V1Lease> {
    return kube.coordination.readNamespacedLease({ name: LEASE, namespace: ns.name });
  }

  /** Samples both candidates every 50 ms for `ms`, failing if both ever lead at once. */
  async function neverBoth(a: Candidate, b: Candidate, ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      expect(a.leading() && b.leading()).toBe(false);
      await sleep(50);
    }
  }

  async function startPair(): Promise<[leader: Candidate, standby: Candidate]> {
    const a = candidate('replica-a');
    const b = candidate('replica-b');
    a.elector.start();
    b.elector.start();
    await waitFor('a leader', async () => a.leading() || b.leading(), 10_000, 50);
    return a.leading() ? [a, b] : [b, a];
  }

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'leader');
  });
  afterEach(async () => {
    await Promise.all(candidates.map((c) => c.elector.stop()));
    // The callbacks alternate, starting with onStartedLeading.
    for (const c of candidates) {
      expect(c.calls.map((x) => x.kind)).toEqual(c.calls.map((_, i) => (i % 2 ? 'stopped' : 'started')));
    }
    await Promise.all(proxies.map((p) => p.close()));
    candidates = [];
    proxies = [];
    await kube.coordination.deleteNamespacedLease({ name: LEASE, namespace: ns.name }).catch(() => undefined);
  });
  afterAll(async () => {
    await ns?.cleanup();
  });

  it('lets exactly one of two candidates lead and records it in the Lease', async () => {
    const [leader, standby] = await startPair();
    await neverBoth(leader, standby, 3_000);
    expect(leader.leading()).toBe(true);
    expect(standby.calls).toEqual([]);
    expect(leader.elector.isLeader).toBe(true);
    expect(standby.elector.isLeader).toBe(false);

    const lease = await readLease();
    expect(lease.spec?.holderIdentity).toBe(leader.elector.identity);
    expect(lease.spec?.leaseDurationSeconds).toBe(3);
    expect(lease.spec?.leaseTransitions).toBe(0);
    // Renewed every retry period: the last renewal is recent, the acquisition older.
    const renewed = timeMs(lease.spec?.renewTime)!;
    expect(Date.now() - renewed).toBeLessThan(1_500);
    expect(renewed - timeMs(lease.spec?.acquireTime)!).toBeGreaterThan(2_000);
    expect(leaseManagers(lease)).toEqual(['kanaria']);
  });

  it('hands over within a second when the leader stops and releases the Lease', async () => {
    const [leader, standby] = await startPair();
    await sleep(1_000);
    await leader.elector.stop();
    const stoppedAt = Date.now();
    expect(leader.calls.map((c) => c.kind)).toEqual(['started', 'stopped']);
    expect(leader.elector.isLeader).toBe(false);

    await waitFor('the standby to lead', async () => standby.leading(), 5_000, 20);
    expect(standby.calls[0].at - stoppedAt).toBeLessThan(1_000);
    const lease = await readLease();
    expect(lease.spec?.holderIdentity).toBe(standby.elector.identity);
    expect(lease.spec?.leaseTransitions).toBe(1);
    // The release and the takeover are writes by the operator too.
    expect(leaseManagers(lease)).toEqual(['kanaria']);
  });

  it('takes over from a leader that died without releasing only once its Lease has expired', async () => {
    const [leader, standby] = await startPair();
    await sleep(1_000);
    leader.elector.crash();
    const crashedAt = Date.now();

    // Follow the dead leader's last renewal (a write in flight at the crash may still land).
    let lastRenewal = 0;
    await waitFor(
      'the standby to lead',
      async () => {
        const lease = await readLease();
        if (lease.spec?.holderIdentity === leader.elector.identity) {
          lastRenewal = Math.max(lastRenewal, timeMs(lease.spec.renewTime)!);
        }
        return standby.leading();
      },
      10_000,
      50,
    );
    const takeover = standby.calls[0].at;
    expect(lastRenewal).toBeGreaterThan(crashedAt - 1_000);
    // Never before renewTime + leaseDuration; soon after (one retry period plus observation lag).
    expect(takeover).toBeGreaterThan(lastRenewal + TIMING.leaseDurationMs);
    expect(takeover).toBeLessThan(lastRenewal + TIMING.leaseDurationMs + 2 * TIMING.retryPeriodMs + 1_000);
    expect(takeover - crashedAt).toBeGreaterThan(TIMING.leaseDurationMs - TIMING.retryPeriodMs - 500);
    expect(leader.calls.map((c) => c.kind)).toEqual(['started']); // a dead process calls nothing

    const lease = await readLease();
    expect(lease.spec?.holderIdentity).toBe(standby.elector.identity);
    expect(lease.spec?.leaseTransitions).toBe(1);
  });

  it('stops leading at the renew deadline when the API server is unreachable, before anyone takes over', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath());
    const proxy = await startTcpProxy(new URL(kc.getCurrentCluster()!.server));
    proxies.push(proxy);
    kc.loadFromOptions({
      clusters: kc.clusters.map((c) => ({ ...c, server: proxy.url })),
      users: kc.users,
      contexts: kc.contexts,
      currentContext: kc.currentContext,
    });

    const a = candidate('replica-a', fromKubeConfig(kc));
    a.elector.start();
    await waitFor('a to lead', async () => a.leading(), 10_000, 50);
    const b = candidate('replica-b');
    b.elector.start();
    await neverBoth(a, b, 1_500);

    const lastRenewal = timeMs((await readLease()).spec?.renewTime)!;
    proxy.partition();
    const partitionedAt = Date.now();
    const sampling = neverBoth(a, b, 6_000);
    await waitFor('a to stop leading', async () => !a.leading(), 5_000, 20);
    const stoppedAt = a.calls[1].at;
    // At its renew deadline, without waiting for a hung request to fail.
    expect(stoppedAt - partitionedAt).toBeLessThan(TIMING.renewDeadlineMs + 300);
    await waitFor('b to lead', async () => b.leading(), 10_000, 20);
    expect(b.calls[0].at).toBeGreaterThan(lastRenewal + TIMING.leaseDurationMs);
    expect(b.calls[0].at).toBeGreaterThan(stoppedAt);
    await sampling;

    // Back online, the former leader sees the new holder and stays a standby.
    proxy.heal();
    await neverBoth(a, b, 2_000);
    expect(a.leading()).toBe(false);
    expect(b.leading()).toBe(true);
    expect((await readLease()).spec?.holderIdentity).toBe('replica-b');
  });
});
