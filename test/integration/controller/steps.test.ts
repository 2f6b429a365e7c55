/**
 * analysis.steps on the real control plane with ingress-nginx: a header route kept beside the weights
 * on the canary Ingress, and two open pauses, each of which needs its own approval while it waits — the
 * first from Slack (a signed request by a user on the approver list), the second from `kanaria promote`.
 */
import { isDeepStrictEqual } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseStep } from '../../../src/api/steps.ts';
import type { Canary } from '../../../src/api/types.ts';
import { startController, type RunningController } from '../../../src/controller/run.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { changeImage, runCli } from '../cli/support.ts';
import { canaryManifest, createCanary, createPodinfo, notesOnceSeen, getCanary } from '../fixtures.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';
import { ALICE, ALICE_BY, MALLORY, startSlackApprovals, type SlackApprovals } from './steps-slack.ts';

const P = 'nginx.ingress.kubernetes.io';
const HEADER = { [`${P}/canary-by-header`]: 'x-canary', [`${P}/canary-by-header-value`]: 'insider' };

/** The header and weight steps last 3 s (their own interval), so that each is seen; pauses look every 1 s. */
const STEPS: ReleaseStep[] = [
  { setHeaderRoute: { match: [{ headers: { 'x-canary': { exact: 'insider' } } }] }, interval: '3s' },
  { setWeight: 10, interval: '3s' },
  { pause: {} },
  { setWeight: 30 },
  { pause: {} },
  { setWeight: 50 },
];

/** The canary Ingress's routing annotations: its weight and header route. */
async function canaryRoutes(kube: Kube, namespace: string): Promise<Record<string, string>> {
  const ingress = await kube.networking.readNamespacedIngress({ name: 'podinfo-canary', namespace });
  const annotations = ingress.metadata?.annotations ?? {};
  return Object.fromEntries(
    Object.entries(annotations).filter(
      ([k]) => k === `${P}/canary-weight` || k.startsWith(`${P}/canary-by-`),
    ),
  );
}

/** The canary Ingress's routes once they are `expected` (the write follows the status that records a step). */
async function routesBecome(kube: Kube, namespace: string, expected: Record<string, string>): Promise<void> {
  const same = async () => isDeepStrictEqual(await canaryRoutes(kube, namespace), expected);
  await waitFor(`canary Ingress routes ${JSON.stringify(expected)}`, same, 10_000).catch(() => undefined);
  expect(await canaryRoutes(kube, namespace)).toEqual(expected);
}

/** Polls the canary Ingress and keeps each distinct routing state: `w=10 h=x-canary:insider`. */
function recordRoutes(kube: Kube, namespace: string) {
  const seen: string[] = [];
  let stopped = false;
  const sampleOnce = async () => {
    const a = await canaryRoutes(kube, namespace).catch(() => undefined);
    if (!a) return;
    const state = `w=${a[`${P}/canary-weight`]} h=${a[`${P}/canary-by-header`] ?? '-'}:${a[`${P}/canary-by-header-value`] ?? '-'}`;
    if (seen.at(-1) !== state) seen.push(state);
  };
  const loop = (async () => {
    while (!stopped) {
      await sampleOnce();
      await sleep(50);
    }
  })();
  return { seen, stop: async () => ((stopped = true), await loop, await sampleOnce()) };
}

describe('analysis.steps with ingress-nginx', () => {
  const log = createLogger(process.env.KANARIA_TEST_LOG ?? 'warn');
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let controller: RunningController;
  let slack: SlackApprovals;

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'steps');
    slack = await startSlackApprovals(kube, log);
    controller = await startController({ kubeconfig: kubeconfigPath(), namespace: ns.name, log });
  });
  afterAll(async () => {
    await controller?.stop();
    await slack?.close();
    await ns?.cleanup();
  });

  const atStep = (index: number) => async (): Promise<Canary | undefined> => {
    const c = await getCanary(kube, ns.name);
    return c.status?.currentStep === index ? c : undefined;
  };

  it('header route then weights beside it; each open pause waits for its own approval (Slack, then kanaria promote)', async () => {
    const namespace = ns.name;
    await slack.createProvider(namespace);
    await createPodinfo(kube, namespace);
    await createCanary(
      kube,
      canaryManifest(namespace, {
        interval: '1s',
        stepWeight: undefined,
        maxWeight: undefined,
        steps: STEPS,
        alerts: [{ name: 'team', severity: 'info', providerRef: { name: 'slack' } }],
      }),
    );
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Initialized',
    );
    const routes = recordRoutes(kube, namespace);
    await changeImage(kube, namespace, '6.0.1');

    // Step 1/6: the header route alone, no weight.
    const headerStep = await waitFor('step 0', atStep(0));
    const revision = headerStep.status!.revision!;
    await routesBecome(kube, namespace, { ...HEADER, [`${P}/canary-weight`]: '0' });

    // Step 2/6: a weight beside the header route.
    await waitFor('step 1', atStep(1));
    await routesBecome(kube, namespace, { ...HEADER, [`${P}/canary-weight`]: '10' });

    // Step 3/6: an open pause holds the release for as long as nobody approves.
    const paused = await waitFor('the first pause', async () => {
      const c = await atStep(2)();
      return c?.status?.message?.includes('paused at step 3/6 until approved') && c;
    });
    await sleep(4_000);
    const stillPaused = await getCanary(kube, namespace);
    expect(stillPaused.status).toMatchObject({
      phase: 'Progressing',
      currentStep: 2,
      stepStartTime: paused.status?.stepStartTime,
    });
    expect(stillPaused.status?.message).toContain('paused at step 3/6 until approved');
    expect(await canaryRoutes(kube, namespace)).toEqual({ ...HEADER, [`${P}/canary-weight`]: '10' });

    // Approve from Slack: the release continues at 30 % with the header route kept.
    const release = { namespace, name: 'podinfo', revision };
    expect(await slack.press(release, ALICE)).toEqual({
      status: 200,
      text: `release ${revision} of podinfo.${namespace} approved by ${ALICE_BY}`,
    });
    const secondPause = await waitFor('the second pause', async () => {
      const c = await atStep(4)();
      return c?.status?.message?.includes('paused at step 5/6 until approved') && c;
    });
    expect(await canaryRoutes(kube, namespace)).toEqual({ ...HEADER, [`${P}/canary-weight`]: '30' });
    expect(secondPause.status?.lastDecision).toMatchObject({
      decision: 'approve',
      revision,
      by: ALICE_BY,
      via: 'Slack',
    });
    const approved = `Pause at step 3/6 of podinfo.${namespace} approved by ${ALICE_BY}: continuing`;
    const notes = await notesOnceSeen(kube, namespace, 'podinfo', (now) => now.includes(approved));
    expect(notes).toContain(`Pause at step 3/6 of podinfo.${namespace} approved by ${ALICE_BY}: continuing`);
    expect(
      notes.some((n) => n.startsWith(`Release ${revision} of podinfo.${namespace} approved by ${ALICE_BY}`)),
    ).toBe(true);

    // The second pause needs an approval of its own; refused Slack requests change nothing.
    const wrongSecret = await slack.press(release, ALICE, { secret: 'not-the-signing-secret' });
    expect(wrongSecret.status).toBe(401);
    const stale = await slack.press(release, ALICE, { at: Date.now() - 6 * 60_000 });
    expect(stale.status).toBe(401);
    expect(stale.text).toMatch(/stale or replayed request/);
    const stranger = await slack.press(release, MALLORY);
    expect(stranger.status).toBe(403);
    expect(stranger.text).toContain(`is not an approver of podinfo.${namespace}`);
    await sleep(3_000);
    const held = await getCanary(kube, namespace);
    expect(held.status).toMatchObject({
      phase: 'Progressing',
      currentStep: 4,
      stepStartTime: secondPause.status?.stepStartTime,
    });
    expect(await canaryRoutes(kube, namespace)).toEqual({ ...HEADER, [`${P}/canary-weight`]: '30' });

    // kanaria promote approves the pause the release waits at, as the kubeconfig's user.
    const promoted = await runCli(['promote', 'podinfo', '-n', namespace]);
    expect(promoted.stderr).toBe('');
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toContain(
      `release ${revision} of podinfo.${namespace} approved (Progressing) by`,
    );
    expect(promoted.stdout).toContain('pause at step 5/6 approved');
    const lastStep = await waitFor('step 5', async () => {
      const c = await getCanary(kube, namespace);
      return (c.status?.currentStep ?? 0) >= 5 || c.status?.phase !== 'Progressing' ? c : undefined;
    });
    expect(lastStep.status?.lastDecision).toMatchObject({
      decision: 'approve',
      revision,
      by: kube.kc.getCurrentUser()?.name || 'kanaria CLI',
      via: 'kanaria CLI',
    });

    // After the last step the release is promoted; the canary Ingress is back at 0 without header route.
    await waitFor(
      'Succeeded',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Succeeded',
      90_000,
    );
    await routes.stop();
    expect(await canaryRoutes(kube, namespace)).toEqual({ [`${P}/canary-weight`]: '0' });
    // Finalising drops the header route and the weight in one write.
    expect(routes.seen).toEqual([
      'w=0 h=-:-',
      'w=0 h=x-canary:insider',
      'w=10 h=x-canary:insider',
      'w=30 h=x-canary:insider',
      'w=50 h=x-canary:insider',
      'w=0 h=-:-',
    ]);
  }, 180_000);
});
