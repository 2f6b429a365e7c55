import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startController, type RunningController } from '../../../src/controller/run.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { canaryManifest, createCanary, createPodinfo, getCanary } from '../fixtures.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';
import { HookServer } from '../hook-server.ts';
import { changeImage, runCli } from './support.ts';

describe('kanaria status exit codes', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let controller: RunningController;
  let hooks: HookServer;

  const phaseOf = async (name: string) => (await getCanary(kube, ns.name, name)).status?.phase;
  async function app(name: string, analysis: Parameters<typeof canaryManifest>[1]): Promise<void> {
    await createPodinfo(kube, ns.name, { name, replicas: 1 });
    await createCanary(kube, canaryManifest(ns.name, { interval: '2s', maxWeight: 20, ...analysis }, name));
    await waitFor(`${name} Initialized`, async () => (await phaseOf(name)) === 'Initialized');
  }

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'cli-status');
    hooks = await new HookServer().start();
    hooks.answer('/load-test', 500);
    hooks.answer('/closed', 403);
    controller = await startController({
      kubeconfig: kubeconfigPath(),
      namespace: ns.name,
      log: createLogger('warn'),
    });
  });
  afterAll(async () => {
    await controller?.stop();
    await hooks?.stop();
    await ns.cleanup();
  });

  it('exits 0 when the release succeeds', async () => {
    await app('ok', { maxWeight: 50 });
    await changeImage(kube, ns.name, '6.0.1', 'ok');
    // Started right after the change: it waits for the release the change starts.
    const res = await runCli(['status', 'ok', '-n', ns.name, '--timeout', '2m'], { timeoutMs: 150_000 });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Progressing weight=\d+/);
    expect(res.stdout).toContain(`ok.${ns.name}: release`);
    expect(res.stdout).toContain('succeeded');
    expect(await phaseOf('ok')).toBe('Succeeded');
    // Nothing pending any more: it ends at once with 0.
    const again = await runCli(['status', 'ok', '-n', ns.name, '--timeout', '5s']);
    expect(again.code).toBe(0);
  });

  it('exits 1 when the release fails', async () => {
    await app('broken', {
      threshold: 2,
      webhooks: [{ name: 'load-test', type: 'rollout', url: `${hooks.url}/load-test` }],
    });
    await changeImage(kube, ns.name, '6.0.1', 'broken');
    const res = await runCli(['status', 'broken', '-n', ns.name, '--timeout', '2m'], { timeoutMs: 150_000 });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(new RegExp(`broken\\.${ns.name}: release \\S+ failed: .*500`));
    expect(await phaseOf('broken')).toBe('Failed');
    // After the failure, status still reports it.
    const again = await runCli(['status', 'broken', '-n', ns.name, '--timeout', '5s']);
    expect(again.code).toBe(1);
  });

  it('exits 2 when the release does not end in time', async () => {
    await app('gated', {
      webhooks: [{ name: 'approval', type: 'confirm-rollout', url: `${hooks.url}/closed` }],
    });
    await changeImage(kube, ns.name, '6.0.1', 'gated');
    await waitFor('Waiting', async () => (await phaseOf('gated')) === 'Waiting');
    const res = await runCli(['status', 'gated', '-n', ns.name, '--timeout', '1s']);
    expect(res.code).toBe(2);
    expect(res.stdout).toContain('Waiting');
    expect(res.stderr).toContain(
      `timed out after 1s waiting for the release of gated.${ns.name} to end: still Waiting`,
    );
  });

  it('rejects a bad timeout and a missing canary', async () => {
    const bad = await runCli(['status', 'ok', '-n', ns.name, '--timeout', 'soon']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--timeout: invalid duration "soon"');
    const missing = await runCli(['status', 'ghost', '-n', ns.name]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(`canary ghost not found in namespace ${ns.name}`);
  });
});
