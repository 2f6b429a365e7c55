/**
 * (e) Blue/Green: the new version is tested for 3 iterations without user traffic (a smoke test of the
 * load tester calls it directly), then all traffic switches to it at once, then it is promoted. On
 * Traefik the canary pods' own counters tell the smoke test's requests (which reach them directly) from
 * user requests (which Traefik forwarded): none of the latter before the switch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigPath } from '../test/integration/helpers.ts';
import { e2eEnvironment, type AppUnderTest, type E2EEnvironment, type OperatorUnderTest } from './harness.ts';
import {
  countsBetween,
  createCanary,
  eventNotes,
  expectNoSplitAlarm,
  recordCounts,
  report,
  waitForPhase,
  waitForPrimaryTraffic,
  watchRoutes,
} from './scenario.ts';

describe('Blue/Green', () => {
  let env: E2EEnvironment;
  let ns: { name: string; cleanup: () => Promise<void> };
  let app: AppUnderTest;
  let operator: OperatorUnderTest;

  beforeAll(async () => {
    env = await e2eEnvironment(kubeconfigPath());
    ns = await env.namespace('bluegreen');
    app = await env.deployApp(ns.name, { rps: 40 });
    operator = await env.startOperator(ns.name);
  });
  afterAll(async () => {
    await operator?.stop();
    await ns?.cleanup();
    await env?.stop();
  });

  it('keeps weight 0 for 3 iterations, switches to 100 and promotes', async () => {
    const { kube } = env;
    const namespace = ns.name;
    await createCanary(env, namespace, {
      interval: '2s',
      threshold: 3,
      iterations: 3,
      stepWeight: undefined,
      maxWeight: undefined,
      // No user traffic reaches the canary before the switch, so nginx metrics would have no values:
      // the iterations are judged by a smoke test against the canary itself.
      metrics: [],
      webhooks: [app.hooks.smoke()],
    });
    await waitForPhase(kube, namespace, 'Initialized');
    // Until the data plane has the primary's endpoints, Traefik sends the users to the weight-0 canary
    // backend (the target's initial pods), where ingress-nginx would answer 503: start from the primary.
    await waitForPrimaryTraffic(app);
    // The smoke tests go straight to the new canary pods: not to one whose address a stopping target pod
    // still holds.
    await app.targetStopped?.();
    const routes = watchRoutes(kube, namespace);
    const recorder = await recordCounts(app);
    await app.release('6.0.1');
    // Polled from now on: when the data plane starts routing everything to the canary.
    const dataPlaneSwitch = app.routedAt(100, 120_000);
    const done = await waitForPhase(kube, namespace, 'Succeeded', 120_000);
    await routes.stop();
    await recorder.stop();
    const notes = await eventNotes(kube, namespace);
    expectNoSplitAlarm(notes);
    const ingressSwitch = routes.samples.find((s) => s.weight === 100)?.at ?? Date.now();
    const switchedAt = Math.min(ingressSwitch, await dataPlaneSwitch);
    // Both switch times are polled, so they can trail the data plane's own switch under load: only
    // requests sent a second before the first observation count as "during the iterations".
    const SWITCH_MARGIN_MS = 1000;
    const first = recorder.snapshots[0];
    const beforeSwitch = countsBetween(first, recorder.before(switchedAt - SWITCH_MARGIN_MS) ?? first);
    const afterSwitch = countsBetween(
      recorder.after(switchedAt) ?? recorder.snapshots.at(-1)!,
      recorder.snapshots.at(-1)!,
    );
    const canaryBeforeSwitch = beforeSwitch.canary;
    const canaryAfterSwitch = afterSwitch.canary;
    report('blue-green', [
      `release 6.0.0 → 6.0.1 on ${env.kind}: ${done.status?.phase}`,
      `weights seen: ${routes.weights().join(' → ')}`,
      `user requests to the canary: ${canaryBeforeSwitch} during the iterations, ${canaryAfterSwitch} after the switch` +
        (beforeSwitch.canaryDirect !== undefined
          ? `; the smoke tests' requests the canary pods counted during the iterations: ${beforeSwitch.canaryDirect}`
          : ''),
      'events:',
      ...notes.map((n) => `  ${n}`),
    ]);

    expect(routes.weights()).toEqual([0, 100, 0]);
    expect(canaryBeforeSwitch).toBe(0);
    expect(canaryAfterSwitch).toBeGreaterThan(0);
    // The smoke tests reached the canary pods themselves (3 requests per iteration).
    if (beforeSwitch.canaryDirect !== undefined) expect(beforeSwitch.canaryDirect).toBeGreaterThanOrEqual(3);
    const text = notes.join('\n');
    expect(text).toContain(`Advance podinfo.${namespace} canary iteration 1/3`);
    expect(text).toContain(`Advance podinfo.${namespace} canary iteration 2/3`);
    expect(text).toContain(`Routing all traffic to canary podinfo.${namespace}`);
    expect(text).toContain(`Promotion completed! Scaling down podinfo.${namespace}`);
    expect(text).not.toContain('Halt advancement');
  });
});
