import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Kube } from '../../../src/kube/client.ts';
import {
  canaryManifest,
  createCanary,
  createPodinfo,
  getCanary,
  PODINFO_IMAGE,
  recordWeights,
  setImage,
} from '../fixtures.ts';
import { freshNamespace, waitFor } from '../helpers.ts';
import { HookServer } from '../hook-server.ts';
import { startAuditedCluster, WRITE_VERBS, type AuditedCluster, type AuditEvent } from './audited-cluster.ts';
import { OperatorProcess } from './process.ts';

const LEASE_MS = 4_000;
/** As `kanaria controller --lease-duration 4s` derives it (2/3 of the lease). */
const RENEW_DEADLINE_MS = Math.round((LEASE_MS * 2) / 3);
/** The rollout webhook answers this late, so that a reconcile is waiting on it when the leader is paused. */
const HOOK_DELAY_MS = 3_000;
/** Releases running while the leader is paused; KANARIA_PAUSE_APPS=20 for the full figure. */
const APPS = Array.from({ length: Number(process.env.KANARIA_PAUSE_APPS ?? 4) }, (_, i) => `app${i}`);

/** Every completed request of `user` that changes something, Lease writes apart. */
const writesOf = (events: AuditEvent[], user: string) =>
  events.filter((e) => e.user === user && WRITE_VERBS.has(e.verb) && e.resource !== 'leases');
const leaseWritesOf = (events: AuditEvent[], user: string) =>
  events.filter((e) => e.user === user && WRITE_VERBS.has(e.verb) && e.resource === 'leases');
const ok = (e: AuditEvent) => e.code !== undefined && e.code < 300;
const describeWrite = (e: AuditEvent) =>
  `${new Date(e.receivedAt).toISOString()} ${e.verb} ${e.resource} ${e.name ?? ''} → ${e.code}`;

describe('a leader paused (SIGSTOP) while releases run', () => {
  let cluster: AuditedCluster;
  let kube: Kube;
  let hooks: HookServer;
  const procs: OperatorProcess[] = [];

  beforeAll(async () => {
    // Its own control plane: the API server's audit log tells the two operator processes' requests apart.
    cluster = await startAuditedCluster(['operator-a', 'operator-b']);
    kube = cluster.kube;
    hooks = await new HookServer().start();
    hooks.observe = () => sleep(HOOK_DELAY_MS);
  });
  afterEach((ctx) => {
    // On failure, what each process said last.
    if (ctx.task.result?.state === 'fail')
      for (const [i, p] of procs.entries())
        console.log(`--- operator ${'ab'[i]} ---\n${p.output.split('\n').slice(-60).join('\n')}`);
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.kill('SIGKILL')));
    await hooks?.stop();
    await cluster?.stop();
  });

  it(
    'writes nothing once its lease has expired, and the standby completes the releases',
    {
      timeout: 240_000,
    },
    async () => {
      const ns = (await freshNamespace(kube, 'pause')).name;
      const args = (user: string) => [
        '--kubeconfig',
        cluster.users[user].kubeconfig,
        '--namespace',
        ns,
        '--log-level',
        'info',
        '--leader-elect',
        '--leader-election-namespace',
        ns,
        '--lease-duration',
        `${LEASE_MS / 1000}s`,
        '--no-gate',
      ];
      const a = await OperatorProcess.start(args('operator-a'));
      procs.push(a);
      await waitFor('A leads', () => a.isLeader(), 30_000, 100);
      const b = await OperatorProcess.start(args('operator-b'));
      procs.push(b);
      await waitFor('B stands by', async () => (await b.metrics()).includes('kanaria_leader 0'), 30_000, 100);

      for (const app of APPS) {
        await createPodinfo(kube, ns, { name: app });
        await createCanary(
          kube,
          canaryManifest(
            ns,
            { webhooks: [{ name: 'slow-check', url: `${hooks.url}/${app}`, timeout: '30s' }] },
            app,
          ),
        );
      }
      await waitFor(
        'Initialized',
        async () =>
          (await Promise.all(APPS.map((app) => getCanary(kube, ns, app)))).every(
            (c) => c.status?.phase === 'Initialized',
          ),
        60_000,
      );

      const weights = APPS.map((app) => recordWeights(kube, ns, `${app}-canary`));
      // Any failed check would come from a check cut short by the pause: the webhook itself always passes.
      let maxFailedChecks = 0;
      const phases = new Set<string>();
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          for (const app of APPS) {
            const c = await getCanary(kube, ns, app).catch(() => undefined);
            maxFailedChecks = Math.max(maxFailedChecks, c?.status?.failedChecks ?? 0);
            if (c?.status?.phase) phases.add(c.status.phase);
          }
          await sleep(100);
        }
      })();

      const callsBefore = hooks.calls.length;
      for (const app of APPS) await setImage(kube, ns, '6.0.1', app);
      // A's reconcile waits on a slow check: pause the whole process in the middle of it.
      await waitFor('a check in flight', async () => hooks.calls.length > callsBefore, 60_000, 10);
      await sleep(500);
      a.child.kill('SIGSTOP');
      const pausedAt = Date.now();

      await waitFor('B leads', () => b.isLeader(), 30_000, 100);
      const takeoverMs = Date.now() - pausedAt;
      // Wake A while B's first reconciles still wait on their own slow checks, before B has written a
      // newer status: the resourceVersion precondition alone would not stop A's writes then.
      await sleep(1_000);
      a.child.kill('SIGCONT');
      const resumedAt = Date.now();
      await waitFor('A stands by', async () => (await a.metrics()).includes('kanaria_leader 0'), 15_000, 50);

      await waitFor(
        'both releases Succeeded',
        async () =>
          (await Promise.all(APPS.map((app) => getCanary(kube, ns, app)))).every(
            (c) => c.status?.phase === 'Succeeded',
          ),
        150_000,
        200,
      );
      watching = false;
      await watcher;
      await Promise.all(weights.map((w) => w.stop()));
      await a.kill('SIGKILL');
      await b.kill('SIGKILL');

      // The releases ended as if nothing had happened.
      for (const [i, app] of APPS.entries()) {
        expect(weights[i].seen, app).toEqual([0, 10, 20, 30, 40, 50, 0]);
        const primary = await kube.apps.readNamespacedDeployment({ name: `${app}-primary`, namespace: ns });
        expect(primary.spec?.template.spec?.containers[0].image).toBe(`${PODINFO_IMAGE}:6.0.1`);
      }
      expect(maxFailedChecks).toBe(0);
      expect(phases.has('Failed')).toBe(false);

      // The writes, from the API server's audit log.
      const events = await cluster.events();
      const userA = cluster.users['operator-a'].username;
      const userB = cluster.users['operator-b'].username;
      const renewals = leaseWritesOf(events, userA).filter((e) => ok(e) && e.receivedAt < resumedAt);
      const last = renewals.at(-1)!;
      const spec = (last.requestObject as { spec: { renewTime: string; leaseDurationSeconds: number } }).spec;
      const renewTime = Date.parse(spec.renewTime);
      const expiry = renewTime + spec.leaseDurationSeconds * 1000;
      const validUntil = renewTime + RENEW_DEADLINE_MS;

      const aWrites = writesOf(events, userA);
      const bWrites = writesOf(events, userB);
      const aAfterExpiry = aWrites.filter((e) => e.receivedAt > expiry);
      const aAfterValidity = aWrites.filter((e) => e.receivedAt > validUntil);
      const aAfterResume = aWrites.filter((e) => e.receivedAt >= resumedAt);
      const aLeaseAfterExpiry = leaseWritesOf(events, userA).filter((e) => e.receivedAt > expiry);
      const bAcquired = leaseWritesOf(events, userB).find(ok)!;
      const refusedByGuard = a.output.match(/"msg":"write not sent"/g)?.length ?? 0;
      const stoppedReconciles =
        a.output.match(/"msg":"reconcile stopped before its next write"/g)?.length ?? 0;
      const counts = {
        takeoverMs,
        pausedMs: resumedAt - pausedAt,
        aLastRenewal: new Date(renewTime).toISOString(),
        aLeaseExpiry: new Date(expiry).toISOString(),
        bAcquiredLease: new Date(bAcquired.receivedAt).toISOString(),
        aWritesBeforePause: aWrites.filter((e) => e.receivedAt <= pausedAt).length,
        aWritesAfterRenewDeadline: aAfterValidity.length,
        aWritesAfterLeaseExpiry: aAfterExpiry.length,
        aWritesAfterWakeUp: aAfterResume.length,
        aLeaseWritesAfterExpiry: aLeaseAfterExpiry.map(describeWrite),
        aWritesRefusedByGuard: refusedByGuard,
        aReconcilesStopped: stoppedReconciles,
        bWrites: bWrites.length,
      };
      console.log(`paused leader, writes counted from the audit log: ${JSON.stringify(counts, null, 2)}`);

      expect(aWrites.length).toBeGreaterThan(0); // A did the first part of the releases
      expect(bWrites.length).toBeGreaterThan(0);
      // The standby took the Lease only once A's had expired, and A sent nothing from then on.
      expect(bAcquired.receivedAt).toBeGreaterThan(expiry);
      expect(aAfterExpiry.map(describeWrite)).toEqual([]);
      expect(aAfterResume.map(describeWrite)).toEqual([]);
      expect(aLeaseAfterExpiry.filter(ok).map(describeWrite)).toEqual([]);
      // Checks run off the workers, so A's reconciles may all have ended before the pause; any that
      // were still running ended without a write (refusedByGuard / stoppedReconciles count them).
      expect(a.output).toContain('not the leader any more; reconciling stopped');
    },
  );
});
