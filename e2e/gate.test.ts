/**
 * (c) A manual gate: the confirm-rollout webhook asks the operator's own gate API (`/gate/check`), so a
 * new revision waits until a person runs `kanaria promote`; then the release runs and is promoted.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigPath } from '../test/integration/helpers.ts';
import { e2eEnvironment, type AppUnderTest, type E2EEnvironment, type OperatorUnderTest } from './harness.ts';
import {
  createCanary,
  eventNotes,
  expectNoSplitAlarm,
  phaseOf,
  report,
  waitFor,
  waitForPhase,
  watchRoutes,
  WALKTHROUGH_METRICS,
} from './scenario.ts';

const bin = resolve(fileURLToPath(import.meta.url), '../../bin/kanaria.js');

describe('manual gate', () => {
  let env: E2EEnvironment;
  let ns: { name: string; cleanup: () => Promise<void> };
  let app: AppUnderTest;
  let operator: OperatorUnderTest;

  beforeAll(async () => {
    env = await e2eEnvironment(kubeconfigPath());
    ns = await env.namespace('gate');
    app = await env.deployApp(ns.name, { rps: 40 });
    operator = await env.startOperator(ns.name);
  });
  afterAll(async () => {
    await operator?.stop();
    await ns?.cleanup();
    await env?.stop();
  });

  it('waits at the confirm-rollout gate until `kanaria promote`, then releases and promotes', async () => {
    const { kube } = env;
    const namespace = ns.name;
    await createCanary(env, namespace, {
      interval: '2s',
      threshold: 5,
      stepWeight: 25,
      maxWeight: 50,
      metrics: WALKTHROUGH_METRICS,
      webhooks: [{ name: 'ask-a-person', type: 'confirm-rollout', url: `${operator.gateUrl}/gate/check` }],
    });
    await waitForPhase(kube, namespace, 'Initialized');
    const routes = watchRoutes(kube, namespace);
    await app.release('6.0.1');
    await waitForPhase(kube, namespace, 'Waiting', 60_000);
    const waitingSince = Date.now();
    const atWaiting = await app.counts();
    // Held for a few intervals: no weight, no canary traffic.
    await sleep(6000);
    const heldCanary = (await app.counts()).canary - atWaiting.canary;
    expect(await phaseOf(kube, namespace)).toBe('Waiting');
    expect(routes.weights()).toEqual([0]);
    expect(heldCanary).toBe(0);

    const promote = await promisify(execFile)(
      process.execPath,
      [bin, 'promote', 'podinfo', '--kubeconfig', env.kubeconfig, '-n', namespace],
      { timeout: 30_000 },
    );
    const promotedAt = Date.now();
    const done = await waitForPhase(kube, namespace, 'Succeeded', 120_000);
    await routes.stop();
    // The promotion's events go out after the status that records it.
    const notes = await waitFor(
      'the promotion event',
      async () => {
        const all = await eventNotes(kube, namespace);
        return all.some((n) => n.includes('Promotion completed!')) && all;
      },
      15_000,
    ).catch(() => eventNotes(kube, namespace));
    expectNoSplitAlarm(notes);
    report('gate', [
      `new revision waited ${((promotedAt - waitingSince) / 1000).toFixed(1)}s at the gate on ${env.kind}; ${heldCanary} requests reached the canary meanwhile`,
      `$ kanaria promote podinfo -n ${namespace}`,
      `  ${promote.stdout.trim()}`,
      `then ${done.status?.phase} after ${((Date.now() - promotedAt) / 1000).toFixed(1)}s`,
      `weights seen: ${routes.weights().join(' → ')}`,
      'events:',
      ...notes.map((n) => `  ${n}`),
    ]);

    expect(promote.stdout).toMatch(/approved \(Waiting\)/);
    expect(routes.weights()).toEqual([0, 25, 50, 0]);
    const text = notes.join('\n');
    expect(text).toContain(
      `Confirm-rollout check ask-a-person failed: waiting for approval to release podinfo.${namespace}`,
    );
    expect(text).toContain(`Promotion completed! Scaling down podinfo.${namespace}`);
    expect((await app.counts()).canary).toBeGreaterThan(atWaiting.canary);
  });
});
