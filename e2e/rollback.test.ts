/**
 * (b) A release whose canary answers half its requests with 500 (on Traefik: FAULT_RATE=0.5 in the pod
 * template, so the pods themselves fail): every step halts on the success rate, after `threshold` failed
 * checks the release is rolled back, and once the data plane routes by weight 0 again no request reaches
 * the canary (by the canary pods' own counters, which outlive the pods scaled to 0). Slack gets the
 * rollback with its reason.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigPath } from '../test/integration/helpers.ts';
import { startReceiver, type Receiver } from '../test/integration/notify/receiver.ts';
import { e2eEnvironment, type AppUnderTest, type E2EEnvironment, type OperatorUnderTest } from './harness.ts';
import {
  createCanary,
  eventNotes,
  expectNoSplitAlarm,
  report,
  waitFor,
  waitForPhase,
  watchRoutes,
  WALKTHROUGH_METRICS,
} from './scenario.ts';
import { createSlackProvider, slackTexts } from './slack.ts';

const IN_FLIGHT_MS = 200;

describe('automatic rollback', () => {
  let env: E2EEnvironment;
  let ns: { name: string; cleanup: () => Promise<void> };
  let app: AppUnderTest;
  let operator: OperatorUnderTest;
  let slack: Receiver | undefined;

  beforeAll(async () => {
    env = await e2eEnvironment(kubeconfigPath());
    ns = await env.namespace('rollback');
    app = await env.deployApp(ns.name, { rps: 40 });
    operator = await env.startOperator(ns.name);
    if (env.localReceiversReachable) slack = await startReceiver();
  });
  afterAll(async () => {
    await operator?.stop();
    await slack?.close();
    await ns?.cleanup();
    await env?.stop();
  });

  it('halts on the success rate, rolls back after 3 failed checks and sends no request to the canary afterwards', async () => {
    const { kube } = env;
    const namespace = ns.name;
    const alerts = slack
      ? [await createSlackProvider(kube, namespace, `${slack.origin}/services/T0/B0/rollback`)]
      : [];
    await createCanary(env, namespace, {
      interval: '2s',
      threshold: 3,
      stepWeight: 10,
      maxWeight: 50,
      metrics: WALKTHROUGH_METRICS,
      alerts,
    });
    await waitForPhase(kube, namespace, 'Initialized');

    const routes = watchRoutes(kube, namespace);
    const started = Date.now();
    const atRelease = await app.counts();
    await app.release('6.0.1', { errorRate: 0.5 });
    const firstTraffic = await waitFor(
      'the canary to get traffic',
      async () => routes.samples.find((s) => s.weight > 0),
      60_000,
      50,
    );
    // Polled from now on, so it tells (to 10ms) when the data plane routes by weight 0 again.
    const routedBack = app.routedAt(0, 120_000);
    const failed = await waitForPhase(kube, namespace, 'Failed', 120_000);
    const dataPlaneAt = await routedBack;
    const seconds = (Date.now() - started) / 1000;
    const ingressAt = routes.samples.find((s) => s.weight === 0 && s.at > firstTraffic.at)?.at ?? Date.now();
    // Requests routed before then may still be on their way to a pod for a moment.
    await sleep(Math.max(0, Math.max(ingressAt, dataPlaneAt) - Date.now()) + IN_FLIGHT_MS);
    const atRollback = await app.counts();
    await sleep(3000);
    const afterRollback = await app.counts();
    await routes.stop();
    const notes = await eventNotes(kube, namespace);
    expectNoSplitAlarm(notes);
    const before = atRollback.canary - atRelease.canary;
    const after = afterRollback.canary - atRollback.canary;

    report('rollback', [
      `release 6.0.0 → 6.0.1 with the canary answering 50% 500s: ${failed.status?.phase} after ${seconds.toFixed(1)}s`,
      `weights seen: ${routes.weights().join(' → ')}`,
      `weight back at 0 on the Ingress at +${((ingressAt - started) / 1000).toFixed(2)}s, in the data plane at +${((dataPlaneAt - started) / 1000).toFixed(2)}s`,
      `requests to the canary (${env.kind === 'traefik' ? "the canary pods' own counters" : 'as counted by the data plane'}): ${before} during the release, ${after} in the 3s after the rollback`,
      'events:',
      ...notes.map((n) => `  ${n}`),
    ]);

    expect(failed.status?.failedChecks).toBe(3);
    expect(failed.status?.canaryWeight).toBe(0);
    expect(routes.weights().at(-1)).toBe(0);
    const halts = notes.filter((n) => n.includes(`Halt advancement podinfo.${namespace}`));
    // One Halt event per failing metric: a check where both metrics find no series yet gives two.
    expect(halts.length).toBeGreaterThanOrEqual(3);
    expect(halts.length).toBeLessThanOrEqual(6);
    // The first check after the weight went up may find no series yet; the others see the 500s.
    const measured = halts.filter((h) => /success rate \d+(\.\d+)?% < 99%/.test(h));
    expect(measured.length).toBeGreaterThanOrEqual(2);
    for (const h of halts) expect(h).toMatch(/success rate \d+(\.\d+)?% < 99%|no values found/);
    expect(notes.join('\n')).toContain(`Rolling back podinfo.${namespace} failed checks threshold reached 3`);
    const primary = await kube.apps.readNamespacedDeployment({ name: 'podinfo-primary', namespace });
    expect(primary.spec?.template.spec?.containers[0].image).toBe('ghcr.io/stefanprodan/podinfo:6.0.0');
    const target = await kube.apps.readNamespacedDeployment({ name: 'podinfo', namespace });
    expect(target.spec?.replicas).toBe(0);
    expect(before).toBeGreaterThan(0);
    expect(after).toBe(0);

    if (slack) {
      const receiver = slack;
      await waitFor('the rollback message on Slack', async () =>
        slackTexts(receiver).some((t) => t.includes('rolled back')),
      );
      const texts = slackTexts(receiver);
      report(
        'rollback/slack',
        texts.map((t) => t.split('\n')[0]),
      );
      const rollback = texts.find((t) =>
        t.includes(`Canary analysis failed, podinfo.${namespace} rolled back`),
      );
      expect(rollback).toBeDefined();
      // Block Kit mrkdwn escapes "<".
      expect(rollback).toMatch(/\*Reason:\* success rate \d+(\.\d+)?% &lt; 99%/);
      const body = receiver.requests[texts.indexOf(rollback!)].body as { blocks?: { type: string }[] };
      expect(body.blocks?.[0]?.type).toBe('header');
    }
  });
});
