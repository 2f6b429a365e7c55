/**
 * Two operator processes with --sharding on a control plane whose audit log tells their requests apart:
 * both reconcile a share of the Canaries, a replica joining mid-release takes its share over from the
 * other without both writing to one Canary at once, and the Canaries of a replica killed with SIGKILL are
 * continued by the other once its member Lease has expired.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Kube } from '../../../src/kube/client.ts';
import {
  canaryManifest,
  createCanary,
  createPodinfo,
  getCanary,
  PODINFO_IMAGE,
  setImage,
} from '../fixtures.ts';
import { MEMBER_LABEL } from '../../../src/shard/membership.ts';
import { freshNamespace, waitFor } from '../helpers.ts';
import { startAuditedCluster, WRITE_VERBS, type AuditedCluster, type AuditEvent } from './audited-cluster.ts';
import { OperatorProcess } from './process.ts';

const LEASE_MS = 6_000;
const APPS = Array.from({ length: Number(process.env.KANARIA_SHARD_APPS ?? 8) }, (_, i) => `app${i}`);

/** The Canary an audited write concerns: its own status, or an object named after its app. */
function appOf(e: AuditEvent): string | undefined {
  const name = e.name ?? '';
  return APPS.find((app) => name === app || name.startsWith(`${app}-`) || name.startsWith(`${app}.`));
}

interface Ownership {
  /** Canaries whose writes came from both replicas interleaved (A, B, A…), or overlapped at a handover. */
  ownedTwice: string[];
  /** Per Canary, the replicas in the order their writes began. */
  owners: Record<string, string[]>;
  /** Per Canary and replica, its first and last write. */
  spans: Record<string, Record<string, { first: number; last: number }>>;
}

/** Who wrote to each Canary's objects when, from the audit log. */
function ownership(events: AuditEvent[], users: string[]): Ownership {
  const writes = events.filter(
    (e) => users.includes(e.user) && WRITE_VERBS.has(e.verb) && e.resource !== 'leases' && appOf(e),
  );
  const owners: Record<string, string[]> = {};
  const spans: Ownership['spans'] = {};
  for (const e of writes.sort((x, y) => x.receivedAt - y.receivedAt)) {
    const app = appOf(e)!;
    const order = (owners[app] ??= []);
    if (order.at(-1) !== e.user) order.push(e.user);
    const span = ((spans[app] ??= {})[e.user] ??= { first: e.receivedAt, last: e.receivedAt });
    span.last = e.receivedAt;
  }
  const ownedTwice = Object.entries(owners)
    .filter(([, order]) => new Set(order).size !== order.length)
    .map(([app]) => app);
  return { ownedTwice, owners, spans };
}

async function shardCanaries(p: OperatorProcess): Promise<number> {
  const match = (await p.metrics()).match(/^kanaria_shard_canaries (\d+)$/m);
  return match ? Number(match[1]) : 0;
}

describe('sharding between two operator processes', () => {
  let cluster: AuditedCluster;
  let kube: Kube;
  const procs: OperatorProcess[] = [];

  beforeAll(async () => {
    cluster = await startAuditedCluster(['replica-a', 'replica-b']);
    kube = cluster.kube;
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail')
      for (const [i, p] of procs.entries())
        console.log(`--- replica ${'ab'[i]} ---\n${p.output.split('\n').slice(-40).join('\n')}`);
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.kill('SIGKILL')));
    await cluster?.stop();
  });

  const allIn = async (ns: string, phase: string) =>
    (await Promise.all(APPS.map((app) => getCanary(kube, ns, app)))).every((c) => c.status?.phase === phase);

  it(
    'splits the Canaries, hands a share over to a joining replica, and takes over from a killed one',
    { timeout: 300_000 },
    async () => {
      const ns = (await freshNamespace(kube, 'shard')).name;
      const args = (user: string) => [
        '--kubeconfig',
        cluster.users[user].kubeconfig,
        '--namespace',
        ns,
        '--log-level',
        'info',
        '--sharding',
        '--leader-election-namespace',
        ns,
        '--lease-duration',
        `${LEASE_MS / 1000}s`,
        '--no-gate',
      ];
      const a = await OperatorProcess.start(args('replica-a'));
      procs.push(a);
      for (const app of APPS) {
        await createPodinfo(kube, ns, { name: app });
        await createCanary(kube, canaryManifest(ns, {}, app));
      }
      await waitFor('all Initialized by A alone', () => allIn(ns, 'Initialized'), 90_000, 200);
      expect(await shardCanaries(a)).toBe(APPS.length);

      // B joins while the first releases run: A hands B its share.
      for (const app of APPS) await setImage(kube, ns, '6.0.1', app);
      await sleep(1_500);
      const b = await OperatorProcess.start(args('replica-b'));
      procs.push(b);
      await waitFor(
        'both replicas reconcile a share',
        async () => (await shardCanaries(a)) > 0 && (await shardCanaries(b)) > 0,
        30_000,
        200,
      );
      const shares = { a: await shardCanaries(a), b: await shardCanaries(b) };
      expect(shares.a + shares.b).toBe(APPS.length);
      // Each replica's member Lease, written by the operator under its field manager.
      const members = await kube.coordination.listNamespacedLease({
        namespace: ns,
        labelSelector: `${MEMBER_LABEL}=true`,
      });
      expect(members.items).toHaveLength(2);
      const managers = members.items.flatMap((l) => (l.metadata?.managedFields ?? []).map((e) => e.manager));
      expect([...new Set(managers)]).toEqual(['kanaria']);
      await waitFor('first releases Succeeded', () => allIn(ns, 'Succeeded'), 120_000, 200);

      // A dies in the middle of the second releases: B continues A's Canaries once A's Lease expired.
      for (const app of APPS) await setImage(kube, ns, '6.0.2', app);
      await waitFor(
        'the second releases under way',
        async () =>
          (await Promise.all(APPS.map((app) => getCanary(kube, ns, app)))).every(
            (c) => (c.status?.canaryWeight ?? 0) >= 10,
          ),
        60_000,
        100,
      );
      const killedAt = Date.now();
      await a.kill('SIGKILL');
      await waitFor(
        'B reconciles every Canary',
        async () => (await shardCanaries(b)) === APPS.length,
        60_000,
        100,
      );
      const takeoverMs = Date.now() - killedAt;
      await waitFor('second releases Succeeded', () => allIn(ns, 'Succeeded'), 120_000, 200);
      for (const app of APPS) {
        const primary = await kube.apps.readNamespacedDeployment({ name: `${app}-primary`, namespace: ns });
        expect(primary.spec?.template.spec?.containers[0].image).toBe(`${PODINFO_IMAGE}:6.0.2`);
      }

      const userA = cluster.users['replica-a'].username;
      const userB = cluster.users['replica-b'].username;
      const owned = ownership(await cluster.events(), [userA, userB]);
      // The share B took over when it joined, while the first releases ran (before A was killed).
      const handedToB = Object.values(owned.spans).filter(
        (s) => s[userA] && s[userB] && s[userA].first < s[userB].first && s[userB].first < killedAt,
      ).length;
      // A's Canaries: B's first write on each after the kill.
      const resumedAfterKill = Object.values(owned.spans)
        .filter((s) => s[userA] && s[userB] && s[userB].first > killedAt)
        .map((s) => s[userB].first - killedAt);
      const report = {
        canaries: APPS.length,
        sharesWhenBJoined: shares,
        handedToBWhileReleasing: handedToB,
        ownedTwice: owned.ownedTwice,
        takeoverMs,
        firstWriteAfterKillMs: { min: Math.min(...resumedAfterKill), max: Math.max(...resumedAfterKill) },
      };
      console.log(`sharding: ${JSON.stringify(report, null, 2)}`);
      expect(owned.ownedTwice).toEqual([]);
      expect(handedToB).toBeGreaterThan(0);
      // A's Lease expires for B one retry period before the lease duration counted from when B saw A's last
      // renewal (at most half a retry period and a round after it was written); B's round runs at the expiry.
      expect(takeoverMs).toBeLessThanOrEqual(LEASE_MS);
    },
  );
});
