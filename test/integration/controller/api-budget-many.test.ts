import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manager } from '../../../src/controller/manager.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { canaryManifest, createCanary, createPodinfo, getCanary, setImage } from '../fixtures.ts';
import { freshNamespace, testKube, waitFor } from '../helpers.ts';
import { HookServer } from '../hook-server.ts';
import { Ledger, startLedgerManager } from './api-ledger.ts';

const N = Number(process.env.KANARIA_API_BUDGET_CANARIES ?? 10);
const STEP_WEIGHT = 20;
const STEPS = 5;
/** A release's fixed start (3) and promotion (9) requests, and 3 per step (see api-budget.test.ts). */
const PER_RELEASE = 3 + 3 * STEPS + 9;
const names = Array.from({ length: N }, (_, i) => `app-${i}`);

/**
 * The API requests of N releases at once, as the benchmark counts them (every request from the image
 * bumps until all have Succeeded, and what follows, divided by canaries × steps): concurrent reconciles,
 * slower rollouts and later watch events must not add writes.
 */
describe('API requests of concurrent releases', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let hooks: HookServer;
  let manager: Manager;
  const ledger = new Ledger(() => undefined);

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'api-many');
    hooks = await new HookServer().start();
    manager = await startLedgerManager(kube, ledger, ns.name);
  });
  afterAll(async () => {
    await manager?.stop();
    await hooks?.stop();
    await ns?.cleanup();
  });

  it(`${N} releases of ${STEPS} steps cost no more than one release each`, async () => {
    const namespace = ns.name;
    const analysis = {
      interval: '1s',
      threshold: 5,
      stepWeight: STEP_WEIGHT,
      maxWeight: STEP_WEIGHT * STEPS,
      webhooks: [{ name: 'always-ok', type: 'rollout' as const, url: `${hooks.url}/ok`, timeout: '5s' }],
    };
    for (const name of names) {
      await createPodinfo(kube, namespace, { replicas: 1, name });
      await createCanary(kube, canaryManifest(namespace, analysis, name));
    }
    for (const name of names)
      await waitFor(`${name} Initialized`, async () => {
        const target = await kube.apps.readNamespacedDeployment({ name, namespace });
        return (
          (await getCanary(kube, namespace, name)).status?.phase === 'Initialized' &&
          target.spec?.replicas === 0
        );
      });
    await sleep(2000);

    ledger.recording = true;
    await Promise.all(names.map((name) => setImage(kube, namespace, '6.0.1', name)));
    for (const name of names)
      await waitFor(
        `${name} Succeeded`,
        async () => (await getCanary(kube, namespace, name)).status?.phase === 'Succeeded',
        120_000,
      );
    const last = () => ledger.entries.at(-1)?.at ?? 0;
    while (Date.now() - last() < 3000) await sleep(200);
    ledger.recording = false;

    const by = new Map<string, number>();
    for (const e of ledger.entries) by.set(e.request, (by.get(e.request) ?? 0) + 1);
    const total = ledger.entries.length;
    const waits = ledger.entries.filter((e) => e.detail?.includes(': waiting for ') === true).length;
    const fences = ledger.entries.filter((e) => e.detail === 'fence').length;
    console.log(
      `${N} releases of ${STEPS} steps: ${total} requests, ${(total / N).toFixed(1)} per release, ` +
        `${(total / (N * STEPS)).toFixed(2)} per canary per step as the benchmark counts ` +
        `(minimum ${(PER_RELEASE / STEPS).toFixed(2)}); waiting messages ${waits}, fences ${fences}\n` +
        [...by]
          .sort((a, b) => b[1] - a[1])
          .map(([r, n]) => `  ${r}: ${n} (${(n / (N * STEPS)).toFixed(2)} per canary per step)`)
          .join('\n'),
    );
    if (process.env.KANARIA_API_BUDGET_LIST === '1') console.log(ledger.list());
    // Slow rollouts under load may each write why they wait; nothing else goes beyond one release's cost.
    expect(total - waits).toBeLessThanOrEqual(N * PER_RELEASE);
  });
});
