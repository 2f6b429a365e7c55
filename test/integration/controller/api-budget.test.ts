import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manager } from '../../../src/controller/manager.ts';
import { WAIT_MESSAGE_MS } from '../../../src/engine/context.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { canaryManifest, createCanary, createPodinfo, getCanary, setImage } from '../fixtures.ts';
import { freshNamespace, testKube, waitFor } from '../helpers.ts';
import { HookServer } from '../hook-server.ts';
import { Ledger, startLedgerManager, type PhaseOf } from './api-ledger.ts';

const STEP_WEIGHT = 10;
const STEPS = 10;
/** What one analysis step may cost: the canary Ingress patch, one status write, one Event. */
const PER_STEP = 3;
/** A release's start: the status that starts it, the canary's scale-up, its Event. */
const START_FIXED = 3;
/**
 * Its end: Promoting (status, the primary's template, Event), Finalising (status, the Ingress back to 0),
 * Succeeded (status, the canary's scale-down, Event) and the delivered outcome cleared from status.
 */
const PROMOTION_FIXED = 9;

const phaseOf: PhaseOf = ({ phase, canaryWeight }) => {
  if (typeof phase !== 'string') return undefined;
  if (phase === 'Progressing')
    return typeof canaryWeight === 'number' && canaryWeight > 0 ? `step ${canaryWeight}` : 'start';
  if (phase === 'Promoting' || phase === 'Finalising' || phase === 'Succeeded') return 'promotion';
  return phase;
};

/** Waits until the ledger has seen no request for `quietMs` (at most `maxMs`). */
async function quiet(ledger: Ledger, quietMs: number, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const last = ledger.entries.at(-1)?.at ?? 0;
    if (Date.now() - last >= quietMs) return;
    await sleep(100);
  }
}

/**
 * The API requests one release costs, counted at the operator's writer on the real API server: the
 * benchmark's release (1 replica, 10 steps of 10 % at 1 s, one rollout webhook answering 200).
 */
describe('API requests of one release', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let hooks: HookServer;
  let manager: Manager;
  const ledger = new Ledger(phaseOf);

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'api-budget');
    hooks = await new HookServer().start();
    manager = await startLedgerManager(kube, ledger, ns.name);
  });
  afterAll(async () => {
    await manager?.stop();
    await hooks?.stop();
    await ns?.cleanup();
  });

  it('costs at most 3 requests per step (Ingress, status, Event) and a small fixed start and promotion', async () => {
    const namespace = ns.name;
    await createPodinfo(kube, namespace, { replicas: 1 });
    await createCanary(
      kube,
      canaryManifest(namespace, {
        interval: '1s',
        threshold: 5,
        stepWeight: STEP_WEIGHT,
        maxWeight: STEP_WEIGHT * STEPS,
        webhooks: [{ name: 'always-ok', type: 'rollout', url: `${hooks.url}/ok`, timeout: '5s' }],
      }),
    );
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Initialized',
    );
    await waitFor('the target scaled to 0', async () => {
      const target = await kube.apps.readNamespacedDeployment({ name: 'podinfo', namespace });
      return target.spec?.replicas === 0;
    });
    await sleep(2000); // the initialisation's last writes

    ledger.phase = 'start';
    ledger.recording = true;
    const bumped = Date.now();
    await setImage(kube, namespace, '6.0.1');
    await waitFor(
      'Succeeded',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Succeeded',
      90_000,
      50,
    );
    const succeeded = Date.now();
    await quiet(ledger, 3000, 20_000); // what follows Succeeded (scale-down, outcome) counts too
    ledger.recording = false;

    const parts = ledger.byPhase();
    const sum = (m: Map<string, number> | undefined) => [...(m?.values() ?? [])].reduce((a, b) => a + b, 0);
    const steps = [...parts].filter(([p]) => p.startsWith('step '));
    const total = ledger.entries.length;
    const start = sum(parts.get('start'));
    const promotion = sum(parts.get('promotion'));
    console.log(
      `one release, ${STEPS} steps at 1s (${((succeeded - bumped) / 1000).toFixed(1)} s to Succeeded):\n${ledger.table()}\n` +
        `total ${total} = start ${start} + steps ${total - start - promotion} + promotion ${promotion}; ` +
        `${(total / STEPS).toFixed(2)} per step as the benchmark counts`,
    );
    if (process.env.KANARIA_API_BUDGET_LIST === '1') console.log(ledger.list());

    expect(steps.map(([p]) => p)).toEqual(
      Array.from({ length: STEPS }, (_, i) => `step ${(i + 1) * STEP_WEIGHT}`),
    );
    expect(parts.size).toBe(STEPS + 2); // start, the steps, promotion: nothing else
    for (const [, m] of steps) {
      expect(sum(m)).toBeLessThanOrEqual(PER_STEP);
      expect(m.get('apply ingresses') ?? 0).toBeLessThanOrEqual(1);
      expect(m.get('patch canaries/status') ?? 0).toBeLessThanOrEqual(1);
      expect(m.get('create events') ?? 0).toBeLessThanOrEqual(1);
    }
    // A wait for a rollout says why in status only once it has lasted WAIT_MESSAGE_MS (none on a quick one).
    const firstOf = (part: string) => ledger.entries.find((e) => e.phase === part)?.at ?? 0;
    const waits = ledger.entries.filter((e) => e.detail?.includes(': waiting for ') === true);
    for (const w of waits) expect(w.at - firstOf(w.phase)).toBeGreaterThanOrEqual(WAIT_MESSAGE_MS);
    const waitsIn = (part: string) => waits.filter((w) => w.phase === part).length;
    // No status write that changes nothing (a fence) in a release nobody else touches.
    expect(ledger.entries.filter((e) => e.detail === 'fence')).toEqual([]);
    expect(start - waitsIn('start')).toBeLessThanOrEqual(START_FIXED);
    expect(promotion - waitsIn('promotion')).toBeLessThanOrEqual(PROMOTION_FIXED);
    expect(total - waits.length).toBeLessThanOrEqual(START_FIXED + PER_STEP * STEPS + PROMOTION_FIXED);
  });
});
