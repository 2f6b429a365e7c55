/**
 * (d) A/B testing: for 3 iterations only requests with `x-canary: insider` (30% of the traffic) reach
 * the new version; the canary Ingress routes by that header with weight 0; then the release is promoted.
 * With `threshold: 1` a single failed check would roll back: the built-in success rate is first asked
 * one interval after the header route is set, when requests have reached the canary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigPath } from '../test/integration/helpers.ts';
import { e2eEnvironment, type AppUnderTest, type E2EEnvironment, type OperatorUnderTest } from './harness.ts';
import {
  createCanary,
  eventNotes,
  report,
  setImage,
  waitFor,
  waitForPhase,
  watchRoutes,
} from './scenario.ts';

describe('A/B testing by header', () => {
  let env: E2EEnvironment;
  let ns: { name: string; cleanup: () => Promise<void> };
  let app: AppUnderTest;
  let operator: OperatorUnderTest;

  beforeAll(async () => {
    env = await e2eEnvironment(kubeconfigPath());
    ns = await env.namespace('ab');
    app = await env.deployApp(ns.name, {
      rps: 40,
      traffic: [{ share: 0.3, headers: { 'x-canary': 'insider' } }],
      abHeader: 'x-canary',
    });
    operator = await env.startOperator(ns.name);
  });
  afterAll(async () => {
    await operator?.stop();
    await ns?.cleanup();
    await env?.stop();
  });

  it('sends only x-canary: insider requests to the canary during 3 iterations, then promotes', async () => {
    const { kube } = env;
    const namespace = ns.name;
    await createCanary(kube, namespace, {
      interval: '2s',
      // One failed check rolls back: the first check must not come before requests could reach the canary.
      threshold: 1,
      iterations: 3,
      stepWeight: undefined,
      maxWeight: undefined,
      match: [{ headers: { 'x-canary': { exact: 'insider' } } }],
      metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '10s' }],
    });
    await waitForPhase(kube, namespace, 'Initialized');
    const routes = watchRoutes(kube, namespace);
    const before = app.counts();
    await setImage(kube, namespace, '6.0.1');
    const routed = await waitFor(
      'header routing on the canary Ingress',
      async () => routes.samples.find((s) => s.header !== undefined),
      60_000,
      50,
    );
    const duringIterations = await waitFor(
      'the second iteration',
      async () => {
        const notes = await eventNotes(kube, namespace);
        return notes.some((n) => n.includes('canary iteration 2/3')) ? app.counts() : undefined;
      },
      60_000,
      200,
    );
    const done = await waitForPhase(kube, namespace, 'Succeeded', 120_000);
    await routes.stop();
    const after = app.counts();
    const notes = await eventNotes(kube, namespace);
    report('ab-testing', [
      `release 6.0.0 → 6.0.1 by header x-canary: insider: ${done.status?.phase}`,
      `routes seen: ${routes.samples.map((s) => `weight ${s.weight}${s.header ? ` + ${s.header}=${s.headerValue}` : ''}`).join(' → ')}`,
      `canary requests: ${after.canary - before.canary} (${after.canaryWithoutHeader - before.canaryWithoutHeader} of them without the header); primary ${after.primary - before.primary}`,
      'events:',
      ...notes.map((n) => `  ${n}`),
    ]);

    expect(routed).toMatchObject({ weight: 0, header: 'x-canary', headerValue: 'insider' });
    // Header routing never came with a weight: plain requests had no way to the canary.
    for (const s of routes.samples.filter((x) => x.header)) expect(s.weight).toBe(0);
    expect(duringIterations.canary).toBeGreaterThan(before.canary);
    expect(after.canary).toBeGreaterThan(duringIterations.canary);
    expect(after.canaryWithoutHeader).toBe(before.canaryWithoutHeader);
    expect(routes.samples.at(-1)).toMatchObject({ weight: 0, header: undefined });
    const text = notes.join('\n');
    expect(text).toContain(`Advance podinfo.${namespace} canary iteration 1/3`);
    expect(text).toContain(`Advance podinfo.${namespace} canary iteration 2/3`);
    expect(text).toContain(`Promotion completed! Scaling down podinfo.${namespace}`);
    expect(text).not.toContain('Halt advancement');
    expect(done.status?.failedChecks).toBe(0);
  });
});
