/**
 * Moving a live Canary between providers on Traefik (both of its providers at once): user traffic enters
 * through the app's Ingress host and through its Gateway's host, each request marked with its entry path
 * (a header the pods count). A release runs on nginx; at weight 30 the Canary starts moving to
 * gatewayapi:v1; both paths split by the release's weights (the pods' own counters, per path and step,
 * within binomial tolerance) while it goes on; then all traffic moves to the Gateway (the DNS move), the
 * old canary Ingress is removed once it has been idle for spec.migration.idleFor, and the release promotes
 * on the HTTPRoute. Then the way back, in the next release. No request through either path fails.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { patchCanary, readCanary } from '../src/kube/canaries.ts';
import { statusCode } from '../src/kube/client.ts';
import { processCounters } from '../src/realproxy/pod-counts.ts';
import { kubeconfigPath } from '../test/integration/helpers.ts';
import { recordCounts, type CountsRecorder } from './counts-recorder.ts';
import { e2eDataPlane } from './dataplane.ts';
import { e2eEnvironment, type AppUnderTest, type E2EEnvironment, type EntryPath } from './harness.ts';
import {
  createCanary,
  eventNotes,
  expectNoSplitAlarm,
  report,
  waitFor,
  waitForPhase,
  waitForPrimaryTraffic,
  watchHttpRoute,
  watchRoutes,
  WALKTHROUGH_METRICS,
} from './scenario.ts';
import { formatStep, stepShares } from './step-shares.ts';
import { entryHeader } from './traefik-env.ts';

const RPS = 60;
const IDLE_FOR = '6s';
/** A step's share is judged only with this many requests through the path in its window. */
const MIN_STEP_REQUESTS = 80;

/** User requests through `path` that each version's pods counted. */
async function entryCounts(namespace: string, path: EntryPath) {
  const header = entryHeader(path);
  const counts = { primary: 0, canary: 0, canaryUnmatched: 0 };
  for (const { labels, counters } of await processCounters(inject('podRunnerUrl'), namespace)) {
    const n = counters.headerNames[header] ?? 0;
    if (labels.app === 'podinfo-primary') counts.primary += n;
    if (labels.app === 'podinfo') counts.canary += n;
  }
  return counts;
}

/** Answers other than 200 in `answers` beyond those already in `before`, by status. */
function failuresSince(
  before: Record<string, number>,
  answers: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [status, n] of Object.entries(answers))
    if (status !== '200' && n > (before[status] ?? 0)) out[status] = n - (before[status] ?? 0);
  return out;
}

describe.skipIf(e2eDataPlane() !== 'traefik')(
  'moving a live Canary between nginx and gatewayapi:v1 (Traefik)',
  () => {
    let env: E2EEnvironment | undefined;
    let ns: { name: string; cleanup: () => Promise<void> };
    let app: AppUnderTest;
    let stopOperator: () => Promise<void>;
    const recorders: CountsRecorder[] = [];
    /** The answers before the first release (the app's start-up is not under test). */
    let baseline: Record<EntryPath, Record<string, number>> = { ingress: {}, gateway: {} };
    const failed = (path: EntryPath) => failuresSince(baseline[path], app.answers!(path));
    /** Moments of the scenario, to place failed answers in time. */
    const moments: { at: number; what: string }[] = [];
    const mark = (what: string) => moments.push({ at: Date.now(), what });
    /** Each run of failed answers through a path: when (relative to the first moment), status, count. */
    const failureRuns = (path: EntryPath) => {
      const t0 = moments[0]?.at ?? 0;
      const runs: string[] = [];
      let run: { from: number; to: number; status: number; n: number } | undefined;
      for (const f of app.failures!(path).filter((x) => x.at >= t0)) {
        if (run && run.status === f.status && f.at - run.to < 1_000) {
          run.to = f.at;
          run.n += 1;
          continue;
        }
        if (run) runs.push(`${run.n}x ${run.status} at +${run.from - t0}..${run.to - t0} ms`);
        run = { from: f.at, to: f.at, status: f.status, n: 1 };
      }
      if (run) runs.push(`${run.n}x ${run.status} at +${run.from - t0}..${run.to - t0} ms`);
      return `${path} failures: ${runs.join(', ') || 'none'}; moments: ${moments.map((m) => `${m.what} +${m.at - t0}`).join(', ')}`;
    };

    beforeAll(async () => {
      env = await e2eEnvironment(kubeconfigPath());
      ns = await env.namespace('migrate');
      app = await env.deployApp(ns.name, { rps: RPS, entry: 'both' });
      // No HTTPRoute yet: nothing is sent through the Gateway until Kanaria's route serves it.
      await app.traffic!('gateway', 0);
      const operator = await env.startOperator(ns.name);
      stopOperator = () => operator.stop();
    });
    afterAll(async () => {
      for (const r of recorders) await r.stop();
      await stopOperator?.();
      await app?.stop();
      await ns?.cleanup();
      await env?.stop();
    });

    const pathRecorder = async (path: EntryPath) => {
      const recorder = await recordCounts({ ...app, counts: () => entryCounts(ns.name, path) }, 100);
      recorders.push(recorder);
      return recorder;
    };
    const canaryIngressExists = () =>
      env!.kube.networking.readNamespacedIngress({ name: 'podinfo-canary', namespace: ns.name }).then(
        () => true,
        (err: unknown) => (statusCode(err) === 404 ? false : Promise.reject(err)),
      );
    const httpRouteExists = () =>
      env!.kube.custom
        .getNamespacedCustomObject({
          group: 'gateway.networking.k8s.io',
          version: 'v1',
          namespace: ns.name,
          plural: 'httproutes',
          name: 'podinfo',
        })
        .then(
          () => true,
          (err: unknown) => (statusCode(err) === 404 ? false : Promise.reject(err)),
        );
    const finished = () =>
      waitFor(
        'the release to end',
        async () => {
          const phase = (await readCanary(env!.kube, ns.name, 'podinfo'))?.status?.phase;
          return (phase === 'Succeeded' || phase === 'Failed') && phase;
        },
        120_000,
        100,
      );
    const weightOf = async () => (await readCanary(env!.kube, ns.name, 'podinfo'))?.status?.canaryWeight ?? 0;

    /** Judged steps (enough requests in the window) of each path, printed; none out of tolerance. */
    /** Waits for weight 30; on a timeout the report says where the Canary stood. */
    const reachWeight = (reached: (w: number) => boolean) =>
      waitFor('weight 30', async () => reached(await weightOf()), 60_000, 50).catch(async (err: unknown) => {
        const c = await readCanary(env!.kube, ns.name, 'podinfo');
        report('migration: no weight 30', [
          JSON.stringify(c?.status),
          ...(await eventNotes(env!.kube, ns.name)),
        ]);
        throw err;
      });

    /** Watches both routes and the requests each entry path brought to each version. */
    async function watchBoth() {
      const ingressRoutes = watchRoutes(env!.kube, ns.name);
      const gatewayRoutes = watchHttpRoute(env!.kube, ns.name);
      const ingressCounts = await pathRecorder('ingress');
      const gatewayCounts = await pathRecorder('gateway');
      return {
        ingressRoutes,
        gatewayRoutes,
        async stop() {
          for (const w of [ingressRoutes, gatewayRoutes, ingressCounts, gatewayCounts]) await w.stop();
          return {
            ingress: stepShares(ingressRoutes.samples, ingressCounts),
            gateway: stepShares(gatewayRoutes.samples, gatewayCounts),
          };
        },
      };
    }

    /**
     * What a finished move must show: the release promoted, the move finished by idleness after the
     * old path's last request, every judged step of both paths within tolerance, no failed answer.
     */
    async function expectMoved(
      scenario: string,
      move: {
        from: string;
        to: string;
        removed: string;
        removedAfterMs: number;
        /** From the spec change to the old route's removal (epoch ms). */
        window: { from: number; to: number };
      },
      watched: Awaited<ReturnType<typeof watchBoth>>,
      version: string,
    ): Promise<void> {
      const done = await finished();
      const shares = await watched.stop();
      const canary = await readCanary(env!.kube, ns.name, 'podinfo');
      const lines = [
        `canary Ingress weights ${watched.ingressRoutes.weights().join(' ')}; HTTPRoute weights ${watched.gatewayRoutes.weights().join(' ')}`,
        `migration: ${JSON.stringify(canary?.status?.migration)}`,
        `${move.removed} removed ${move.removedAfterMs} ms after the last request was sent through it (idleFor ${IDLE_FOR})`,
        `failed answers since the primary served: ingress ${JSON.stringify(failed('ingress'))}, gateway ${JSON.stringify(failed('gateway'))}`,
        failureRuns('ingress'),
        failureRuns('gateway'),
      ];
      for (const [path, steps] of Object.entries(shares))
        for (const step of steps)
          lines.push(
            `${path}: ${formatStep(step)}${step.requests < MIN_STEP_REQUESTS ? ' (too few, not judged)' : ''}`,
          );
      report(scenario, lines);
      expect(done).toBe('Succeeded');
      expect(canary?.status?.migration).toMatchObject({ from: move.from, to: move.to, finishedBy: 'idle' });
      expect(move.removedAfterMs).toBeGreaterThanOrEqual(6_000);
      for (const steps of Object.values(shares)) {
        const judged = steps.filter((step) => step.requests >= MIN_STEP_REQUESTS);
        expect(judged.length).toBeGreaterThanOrEqual(1);
        expect(judged.filter((step) => !step.withinTolerance)).toEqual([]);
      }
      // No request fails while the Canary moves (from the spec change until the old route is gone). Pod
      // churn elsewhere (the primary's rollout at promotion) is reported above, not judged: simulated pods
      // are Ready before their process listens and stop without a graceful shutdown (see the README).
      const during = (path: EntryPath) =>
        app.failures!(path).filter((f) => f.at >= move.window.from && f.at <= move.window.to);
      expect(during('ingress')).toEqual([]);
      expect(during('gateway')).toEqual([]);
      const primary = await env!.kube.apps.readNamespacedDeployment({
        name: 'podinfo-primary',
        namespace: ns.name,
      });
      expect(primary.spec?.template.spec?.containers[0].image).toContain(`:${version}`);
      const notes = await eventNotes(env!.kube, ns.name);
      expect(notes.some((n) => n.includes(`from ${move.from} to ${move.to}`))).toBe(true);
      expectNoSplitAlarm(notes);
    }

    it('nginx -> gatewayapi:v1 at weight 30: both paths split alike, the DNS move, the idle Ingress removed, promotion on the HTTPRoute', async () => {
      const { kube } = env!;
      const namespace = ns.name;
      await createCanary(env!, namespace, {
        interval: '3s',
        // Pod churn at a release start can fail one success-rate check on Traefik (its service series count
        // refused attempts that a retry then served); a few in a row are needed to roll back here.
        threshold: 5,
        stepWeight: 5,
        maxWeight: 60,
        metrics: WALKTHROUGH_METRICS,
      });
      await waitForPhase(kube, namespace, 'Initialized', 60_000);
      await waitForPrimaryTraffic(app);
      baseline = { ingress: app.answers!('ingress'), gateway: app.answers!('gateway') };
      const watched = await watchBoth();
      const gatewayRoutes = watched.gatewayRoutes;

      mark('release 6.0.1');
      await app.release('6.0.1');
      await reachWeight((w) => w === 30);
      mark('migration to gatewayapi:v1');
      const movedFrom = Date.now();
      await patchCanary(kube, namespace, 'podinfo', {
        spec: {
          provider: 'gatewayapi:v1',
          service: { gatewayRefs: [{ name: app.gateway!.name }], hosts: [app.gateway!.host] },
          migration: { idleFor: IDLE_FOR },
        },
      });
      const routed = await waitFor(
        'the HTTPRoute accepted and weighted',
        async () => gatewayRoutes.samples.find((s) => s.weight > 0),
        20_000,
        50,
      );
      await app.routedAt(routed.weight, 10_000, 'gateway');
      mark('Gateway load on');
      await app.traffic!('gateway', RPS);
      // Both paths under load for a few steps of the release.
      await waitFor('three more steps', async () => (await weightOf()) >= routed.weight + 15, 30_000, 50);
      const moved = Date.now();
      mark('Ingress load off');
      await app.traffic!('ingress', 0);
      await waitFor(
        'the canary Ingress removed once idle',
        async () => !(await canaryIngressExists()),
        40_000,
        100,
      );
      const removedAfterMs = Date.now() - moved;
      mark('canary Ingress gone');
      const move = {
        from: 'nginx',
        to: 'gatewayapi:v1',
        removed: 'canary Ingress',
        removedAfterMs,
        window: { from: movedFrom, to: Date.now() },
      };
      await expectMoved('migration nginx -> gatewayapi:v1', move, watched, '6.0.1');
      // The HTTPRoute carried the release to its end, past the Ingress's last weight.
      expect(Math.max(...gatewayRoutes.weights())).toBe(60);
      expect(gatewayRoutes.weights().at(-1)).toBe(0);
    }, 240_000);

    it('gatewayapi:v1 -> nginx in the next release: the HTTPRoute removed once idle, promotion on the Ingress', async () => {
      const { kube } = env!;
      const namespace = ns.name;
      // The previous promotion's rollout of the primary ends first: its pod churn is not this move's.
      await waitFor(
        'the primary rolled out',
        async () => {
          const d = await kube.apps.readNamespacedDeployment({ name: 'podinfo-primary', namespace });
          const want = d.spec?.replicas ?? 0;
          const st = d.status ?? {};
          return st.replicas === want && st.updatedReplicas === want && st.availableReplicas === want;
        },
        30_000,
        100,
      );
      await sleep(2_000);
      mark('migration to nginx');
      const movedFrom = Date.now();
      await patchCanary(kube, namespace, 'podinfo', { spec: { provider: 'nginx' } });
      await waitFor('the canary Ingress back', canaryIngressExists, 20_000, 100);
      // Traefik has no canary service at weight 0 to look for: a moment for it to load the Ingress.
      await sleep(1_000);
      mark('Ingress load on');
      await app.traffic!('ingress', RPS);
      const watched = await watchBoth();
      await sleep(500);

      mark('release 6.0.2');
      await app.release('6.0.2');
      await reachWeight((w) => w >= 30);
      const moved = Date.now();
      mark('Gateway load off');
      await app.traffic!('gateway', 0);
      await waitFor('the HTTPRoute removed once idle', async () => !(await httpRouteExists()), 40_000, 100);
      const removedAfterMs = Date.now() - moved;
      mark('HTTPRoute gone');
      const move = {
        from: 'gatewayapi:v1',
        to: 'nginx',
        removed: 'HTTPRoute',
        removedAfterMs,
        window: { from: movedFrom, to: Date.now() },
      };
      await expectMoved('migration gatewayapi:v1 -> nginx', move, watched, '6.0.2');
      expect(watched.ingressRoutes.weights().at(-1)).toBe(0);
      expect(Math.max(...watched.ingressRoutes.weights())).toBe(60);
    }, 240_000);
  },
);
