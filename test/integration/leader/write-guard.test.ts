import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaderElector } from '../../../src/controller/leader.ts';
import { statusCode, type Kube } from '../../../src/kube/client.ts';
import type { V1ConfigMap } from '../../../src/kube/types.ts';
import type { EventInput } from '../../../src/kube/event-body.ts';
import { WriteRefusedError } from '../../../src/kube/write-admission.ts';
import { KubeWriter } from '../../../src/kube/writer.ts';
import { freshNamespace, testKube, waitFor } from '../helpers.ts';

/** The writer's guard and signal on the real API server: a refused write never reaches it. */
describe('KubeWriter guard and signal', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'guard');
  });
  afterAll(async () => ns?.cleanup());

  const configMap = (name: string, data: Record<string, string> = { k: 'v' }): V1ConfigMap => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns.name },
    data,
  });
  const event = (name: string): EventInput => ({
    namespace: ns.name,
    regarding: { apiVersion: 'v1', kind: 'ConfigMap', name },
    type: 'Normal',
    reason: 'Test',
    action: 'Test',
    note: `about ${name}`,
    now: new Date(),
  });
  async function exists(name: string): Promise<boolean> {
    try {
      await kube.core.readNamespacedConfigMap({ name, namespace: ns.name });
      return true;
    } catch (err) {
      if (statusCode(err) === 404) return false;
      throw err;
    }
  }
  async function eventsAbout(name: string): Promise<number> {
    const list = await kube.events.listNamespacedEvent({
      namespace: ns.name,
      fieldSelector: `regarding.name=${name}`,
    });
    return list.items.length;
  }

  it('refuses every kind of write with ENOTLEADER while the guard says no, and sends none', async () => {
    const open = new KubeWriter(kube, 'test');
    await open.apply(configMap('kept'));
    const before = await kube.core.readNamespacedConfigMap({ name: 'kept', namespace: ns.name });

    const refused: string[] = [];
    const writer = new KubeWriter(kube, 'test', undefined, {
      guard: () => 'not the leader',
      onRefused: (verb, err) => refused.push(`${verb} ${err.code}`),
    });
    const attempts: [string, () => Promise<unknown>][] = [
      ['apply', () => writer.apply(configMap('never'))],
      ['scale', () => writer.scaleDeployment(ns.name, 'podinfo', 3)],
      ['annotations', () => writer.patchAnnotations(configMap('kept'), { touched: 'yes' }, '1')],
      ['status', () => writer.patchCanaryStatus(ns.name, 'podinfo', { phase: 'Failed' }, '1')],
      ['metadata', () => writer.patchCanaryMetadata(ns.name, 'podinfo', { finalizers: [] })],
      ['event', () => writer.createEvent(event('kept'))],
      ['delete', () => writer.delete(configMap('kept'))],
    ];
    for (const [what, attempt] of attempts) {
      const err = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, what).toBeInstanceOf(WriteRefusedError);
      expect((err as WriteRefusedError).code, what).toBe('ENOTLEADER');
      expect((err as Error).message, what).toBe('write refused: not the leader');
    }
    expect(refused).toEqual([
      'apply ENOTLEADER',
      'patch ENOTLEADER',
      'patch ENOTLEADER',
      'patch ENOTLEADER',
      'patch ENOTLEADER',
      'create ENOTLEADER',
      'delete ENOTLEADER',
    ]);
    expect(await exists('never')).toBe(false);
    const after = await kube.core.readNamespacedConfigMap({ name: 'kept', namespace: ns.name });
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect(await eventsAbout('kept')).toBe(0);
  });

  it('checks again in the last step before sending: a guard that turns meanwhile stops the request', async () => {
    // The guard allows the call itself and refuses the check the client runs right before sending.
    let checks = 0;
    const writer = new KubeWriter(kube, 'test', undefined, {
      guard: () => (++checks > 1 ? 'lease lost meanwhile' : undefined),
    });
    await expect(writer.apply(configMap('late-apply'))).rejects.toMatchObject({ code: 'ENOTLEADER' });
    expect(checks).toBe(2);
    checks = 0;
    await expect(writer.createEvent(event('late-event'))).rejects.toMatchObject({
      code: 'ENOTLEADER',
      message: 'write refused: lease lost meanwhile',
    });
    expect(checks).toBe(2);
    expect(await exists('late-apply')).toBe(false);
    expect(await eventsAbout('late-event')).toBe(0);
  });

  it('a writer bound to a signal refuses with EABORTED once it aborts; the writer it came from still writes', async () => {
    const base = new KubeWriter(kube, 'test');
    const term = new AbortController();
    const bound = base.withSignal(term.signal);
    await bound.apply(configMap('during-term'));
    term.abort(new Error('not the leader any more'));
    const err = await bound.apply(configMap('after-term')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WriteRefusedError);
    expect(err).toMatchObject({ code: 'EABORTED', message: 'write refused: not the leader any more' });
    expect((err as Error).cause).toBe(term.signal.reason);
    expect(await exists('during-term')).toBe(true);
    expect(await exists('after-term')).toBe(false);
    await base.apply(configMap('base-still-writes'));
    expect(await exists('base-still-writes')).toBe(true);
  });

  it("with the elector's guard: a pause past the renew deadline refuses writes before the timers notice", async () => {
    let leading = false;
    const elector = new LeaderElector({
      kube,
      namespace: ns.name,
      name: 'guard-lease',
      identity: 'guarded',
      leaseDurationMs: 3_000,
      renewDeadlineMs: 2_000,
      retryPeriodMs: 500,
      onStartedLeading: () => (leading = true),
      onStoppedLeading: () => (leading = false),
    });
    const writer = new KubeWriter(kube, 'guarded', undefined, { guard: () => elector.leaseProblem() });
    await expect(writer.apply(configMap('before-leading'))).rejects.toMatchObject({
      code: 'ENOTLEADER',
      message: 'write refused: not the leader',
    });
    elector.start();
    try {
      await waitFor('leading', async () => leading, 10_000, 20);
      await writer.apply(configMap('while-leading'));

      // A pause of the whole process (as under SIGSTOP): no timer or I/O callback runs, the monotonic
      // clock keeps going.
      const until = performance.now() + 2_300;
      while (performance.now() < until) {
        /* paused */
      }
      expect(elector.isLeader).toBe(true); // the deadline timer has not had a chance to run
      expect(elector.holdsLease()).toBe(false);
      const err = await writer.apply(configMap('after-pause')).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ENOTLEADER' });
      expect((err as Error).message).toMatch(
        /^write refused: the last lease renewal began \d+ ms ago, not within the renew deadline of 2000 ms$/,
      );
      expect(await exists('after-pause')).toBe(false);

      // The timers then end the term; with no one else around it leads again and may write again.
      await waitFor('a renewed lease', async () => elector.holdsLease(), 10_000, 20);
      await writer.apply(configMap('leading-again'));
      expect(await exists('leading-again')).toBe(true);
    } finally {
      await elector.stop();
    }
    expect(elector.holdsLease()).toBe(false);
    await expect(writer.apply(configMap('after-stop'))).rejects.toMatchObject({ code: 'ENOTLEADER' });
  });
});
