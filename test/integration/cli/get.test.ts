import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startController, type RunningController } from '../../../src/controller/run.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { canaryManifest, createCanary, createPodinfo, getCanary, PODINFO_IMAGE } from '../fixtures.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';
import { changeImage, runCli, spawnCli } from './support.ts';

/** The weights of the frames `get --watch` printed (each frame starts with its Name: line). */
function frameWeights(stdout: string): number[] {
  return stdout
    .split(/^(?=Name: )/m)
    .map((frame) => /^ {2}Weight: +\[[█░]{10}\] (\d+)%/m.exec(frame)?.[1])
    .filter((w): w is string => w !== undefined)
    .map(Number);
}

describe('kanaria get and list', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let controller: RunningController;

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'cli-get');
    controller = await startController({
      kubeconfig: kubeconfigPath(),
      namespace: ns.name,
      log: createLogger('warn'),
    });
    await createPodinfo(kube, ns.name);
    await createCanary(kube, canaryManifest(ns.name, { interval: '2s', maxWeight: 50, stepWeight: 10 }));
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, ns.name)).status?.phase === 'Initialized',
    );
  });
  afterAll(async () => {
    await controller?.stop();
    await ns.cleanup();
  });

  it('shows the weight bar, the images, the events and the owned objects of a release', async () => {
    const namespace = ns.name;
    await changeImage(kube, namespace, '6.0.1');
    await waitFor('weight 20', async () => {
      const c = await getCanary(kube, namespace);
      return c.status?.phase === 'Progressing' && (c.status.canaryWeight ?? 0) >= 20;
    });
    const res = await runCli(['get', 'canary', 'podinfo', '-n', namespace]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const out = res.stdout;
    expect(out).not.toContain('\x1b[');
    expect(out).toMatch(/^Status: +◌ Progressing$/m);
    expect(out).toMatch(/^ {2}Step: +[2-5]\/5$/m);
    expect(out).toMatch(/^ {2}Weight: +\[██+░*\] [2-5]0% \(max 50%\)$/m);
    expect(out).toMatch(/^ {2}Failed checks: +0\/2$/m);
    expect(out).toContain(`${PODINFO_IMAGE}:6.0.0 (stable)`);
    expect(out).toContain(`${PODINFO_IMAGE}:6.0.1 (canary)`);
    expect(out).toMatch(/^ {2}Normal +Synced +\S+ +Advance podinfo\.\S+ canary weight 20$/m);
    expect(out).toMatch(/^├──podinfo-primary +Deployment +✔ Ready +primary, 2\/2 ready$/m);
    expect(out).toMatch(/^│ {2}└──podinfo-config-primary +ConfigMap +primary copy$/m);
    expect(out).toMatch(/^├──podinfo-canary +Service +canary, app=podinfo$/m);
    expect(out).toMatch(/^└──podinfo-canary +Ingress +canary, canary-weight=[2-5]0$/m);

    await waitFor('Succeeded', async () => (await getCanary(kube, namespace)).status?.phase === 'Succeeded');
    const list = await runCli(['list', '-n', namespace]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^NAMESPACE +NAME +STATUS +WEIGHT +FAILED +LAST TRANSITION$/m);
    expect(list.stdout).toMatch(
      new RegExp(`^${namespace} +podinfo +Succeeded +0 +0/2 +\\d{4}-\\d\\d-\\d\\dT`, 'm'),
    );
    const all = await runCli(['list', '-A']);
    expect(all.stdout).toContain(namespace);
  });

  it('redraws with --watch as the release advances', async () => {
    const namespace = ns.name;
    const watch = spawnCli(['get', 'canary', 'podinfo', '-n', namespace, '--watch']);
    try {
      await waitFor('the first frame', async () => frameWeights(watch.stdout()).length > 0, 30_000);
      // Before the release every frame shows weight 0 (a frame repeats when e.g. an age or an event changes).
      expect(frameWeights(watch.stdout()).every((w) => w === 0)).toBe(true);
      await changeImage(kube, namespace, '6.0.2');
      await waitFor(
        'frames with two different weights',
        async () => new Set(frameWeights(watch.stdout())).size >= 2,
        60_000,
      );
    } finally {
      watch.child.kill('SIGINT');
    }
    const { code, stdout } = await watch.exited;
    expect(code).toBe(0);
    const weights = frameWeights(stdout);
    expect(weights.length).toBeGreaterThanOrEqual(2);
    expect(weights.some((w) => w > 0)).toBe(true);
    // Frames on a pipe are separated by a blank line, never by screen clearing.
    expect(stdout).not.toContain('\x1b[2J');
    expect(stdout).toContain('\n\nName:');
  });

  it('reports a missing canary', async () => {
    const res = await runCli(['get', 'canary', 'ghost', '-n', ns.name]);
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe(`canary ghost not found in namespace ${ns.name}`);
  });
});
