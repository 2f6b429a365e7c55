import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manager } from '../../../src/controller/manager.ts';
import { DEFAULT_SELECTOR_LABELS } from '../../../src/controller/run.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { KubeWriter } from '../../../src/kube/writer.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { DEFAULT_ANNOTATION_PREFIX } from '../../../src/router/nginx.ts';
import { canaryManifest, createCanary, createPodinfo, getCanary, setImage } from '../fixtures.ts';
import { freshNamespace, testKube, waitFor } from '../helpers.ts';

// Long enough that the reconcile of a step ends settled and the echoes of its own writes are not
// reconciled (echoes.ts): only its timer brings the next step.
const INTERVAL_MS = 6_000;
/** Every Event the operator writes takes this long, as on an API server under load. */
const EVENT_WRITE_MS = 2_000;

/**
 * A weight step comes one interval after the decision to take the previous one, however long the writes
 * that followed that decision took: a loaded API server must not stretch every step of a release by the
 * time its status, route and Event writes took.
 */
describe('the interval between weight steps', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let manager: Manager;
  let eventWrites = 0;
  /** How long each reconcile held its worker, in ms. */
  const turns: number[] = [];

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'step-timing');
    // The operator's own writer: the same real API server, with Event writes answered late (also by the
    // copies the manager makes of it with its signal).
    const slowEvents = (writer: KubeWriter): KubeWriter => {
      const create = writer.createEvent.bind(writer);
      writer.createEvent = async (...args: Parameters<typeof create>) => {
        eventWrites++;
        await sleep(EVENT_WRITE_MS);
        return create(...args);
      };
      const withSignal = writer.withSignal.bind(writer);
      writer.withSignal = (signal) => slowEvents(withSignal(signal));
      return writer;
    };
    manager = new Manager({
      kube,
      writer: slowEvents(new KubeWriter(kube, 'step-timing')),
      log: createLogger('warn'),
      clock: Date.now,
      namespace: ns.name,
      selectorLabels: DEFAULT_SELECTOR_LABELS,
      ingressAnnotationPrefix: DEFAULT_ANNOTATION_PREFIX,
      onReconcile: (seconds) => turns.push(seconds * 1000),
    });
    await manager.start();
  });
  afterAll(async () => {
    await manager?.stop();
    await ns?.cleanup();
  });

  it('counts each step from the decision, not from the end of its slow writes', async () => {
    const namespace = ns.name;
    await createPodinfo(kube, namespace, { replicas: 1 });
    await createCanary(
      kube,
      canaryManifest(namespace, { interval: `${INTERVAL_MS / 1000}s`, stepWeight: 20, maxWeight: 60 }),
    );
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Initialized',
      60_000,
    );
    await setImage(kube, namespace, '6.0.1');
    // When each recorded step time was first seen (polled every 50 ms).
    const stepTimes = new Map<string, number>();
    await waitFor(
      'Succeeded',
      async () => {
        const status = (await getCanary(kube, namespace)).status;
        const at = status?.lastStepTime;
        if (at && (status?.canaryWeight ?? 0) > 0 && !stepTimes.has(at)) stepTimes.set(at, Date.now());
        return status?.phase === 'Succeeded';
      },
      120_000,
      50,
    );
    const recorded = [...stepTimes.keys()].map((at) => Date.parse(at)).sort((a, b) => a - b);
    const gaps = recorded.slice(1).map((at, k) => at - recorded[k]);
    console.log(
      `interval ${INTERVAL_MS} ms, each Event write ${EVENT_WRITE_MS} ms (${eventWrites} written): ` +
        `decisions of the steps to weight 20, 40 and 60 ${gaps.join(', ')} ms apart`,
    );
    expect(eventWrites).toBeGreaterThan(0);
    expect(gaps.length).toBe(2);
    // Counted from the end of the writes, each gap would be the interval plus at least one Event write.
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(INTERVAL_MS);
      expect(gap).toBeLessThan(INTERVAL_MS + EVENT_WRITE_MS / 2);
    }
    // The Events of the start, the steps and the promotion are written off the workers: no reconcile
    // waited for one but the one delivering the promotion's outcome, whose Event status records until it
    // is written.
    const held = turns.filter((ms) => ms >= EVENT_WRITE_MS);
    console.log(`${turns.length} reconciles, ${held.length} held their worker ${EVENT_WRITE_MS} ms or more`);
    expect(eventWrites).toBeGreaterThanOrEqual(5);
    expect(held.length).toBeLessThanOrEqual(1);
  });
});
