/**
 * (f) The walkthrough's webhooks against the project's load tester: a pre-rollout acceptance test that
 * passes once the canary answers `POST /token` with a token (it first answers 500, and the release waits),
 * and a load test run at every step; the release is promoted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigPath } from '../test/integration/helpers.ts';
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

describe('acceptance and load-test webhooks', () => {
  let env: E2EEnvironment;
  let ns: { name: string; cleanup: () => Promise<void> };
  let app: AppUnderTest;
  let operator: OperatorUnderTest;

  beforeAll(async () => {
    env = await e2eEnvironment(kubeconfigPath());
    ns = await env.namespace('webhooks');
    app = await env.deployApp(ns.name, { rps: 40 });
    operator = await env.startOperator(ns.name);
  });
  afterAll(async () => {
    await operator?.stop();
    await ns?.cleanup();
    await env?.stop();
  });

  it('holds the release until the acceptance test passes, load-tests every step and promotes', async () => {
    const { kube } = env;
    const namespace = ns.name;
    await createCanary(env, namespace, {
      interval: '2s',
      threshold: 5,
      stepWeight: 10,
      maxWeight: 50,
      metrics: WALKTHROUGH_METRICS,
      webhooks: [app.hooks.acceptance(), app.hooks.load()],
    });
    await waitForPhase(kube, namespace, 'Initialized');
    // The acceptance test's first call goes straight to a new canary pod: not to one whose address a
    // stopping target pod still holds.
    await app.targetStopped?.();
    // The first build of the new version fails its acceptance test (where its errors reach the webhooks);
    // a fixed build (on Traefik a new pod template, so a new revision) passes it.
    const failFirst = app.errorsReachHooks;
    const routes = watchRoutes(kube, namespace);
    const started = Date.now();
    await app.release('6.0.1', { errorRate: failFirst ? 1 : 0 });
    if (failFirst) {
      await waitFor(
        'a failed acceptance test',
        async () =>
          (await eventNotes(kube, namespace)).some((n) =>
            n.includes('pre-rollout check acceptance-test failed'),
          ),
        60_000,
      );
      expect(routes.weights()).toEqual([0]);
      await app.release('6.0.1', { errorRate: 0 });
    }
    const done = await waitForPhase(kube, namespace, 'Succeeded', 120_000);
    await routes.stop();
    const notes = await eventNotes(kube, namespace);
    expectNoSplitAlarm(notes);
    const calls = (env.loadTesterCalls?.() ?? []).filter(
      (c) => c.at >= started && c.canary === `podinfo.${namespace}`,
    );
    report('webhooks', [
      `release 6.0.0 → 6.0.1 on ${env.kind}: ${done.status?.phase} after ${((Date.now() - started) / 1000).toFixed(1)}s`,
      `weights seen: ${routes.weights().join(' → ')}`,
      ...(calls.length
        ? ['load tester calls:', ...calls.map((c) => `  ${c.phase} ${c.type}: ${c.status} ${c.message}`)]
        : []),
      'events:',
      ...notes.map((n) => `  ${n}`),
    ]);

    const text = notes.join('\n');
    if (failFirst)
      expect(text).toMatch(
        /Halt advancement podinfo\.\S+: pre-rollout check acceptance-test failed: webhook acceptance-test failed: 500 .*got 500×1/,
      );
    expect(text).toContain('Pre-rollout check acceptance-test passed');
    expect(text.indexOf('Pre-rollout check acceptance-test passed')).toBeLessThan(
      text.indexOf(`Advance podinfo.${namespace} canary weight 10`),
    );
    expect(routes.weights()).toEqual([0, 10, 20, 30, 40, 50, 0]);
    if (env.loadTesterCalls) {
      const acceptance = calls.filter((c) => c.type === 'request');
      expect(acceptance.at(-1)?.status).toBe(200);
      expect(acceptance.some((c) => c.status === 500)).toBe(failFirst);
      const load = calls.filter((c) => c.type === 'load');
      // One load test per analysis step at weights 10..50.
      expect(load.length).toBeGreaterThanOrEqual(5);
      for (const c of load) expect(c.status).toBe(200);
    }
  });
});
