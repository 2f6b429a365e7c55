import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Canary } from '../../../src/api/types.ts';
import { ConflictError, StatusRecorder } from '../../../src/controller/record.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { KubeWriter } from '../../../src/kube/writer.ts';
import { canaryManifest, createCanary, getCanary } from '../fixtures.ts';
import { freshNamespace, testKube } from '../helpers.ts';

/** The precondition every decision is recorded with, on the real API server. */
describe('status recorder', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let requests: string[];
  let recorder: StatusRecorder;

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'record');
    requests = [];
    recorder = new StatusRecorder(new KubeWriter(kube, 'test', (verb) => requests.push(verb)));
    await createCanary(kube, canaryManifest(ns.name));
  });
  afterAll(async () => ns?.cleanup());

  it('refuses a decision made from a stale Canary and writes nothing', async () => {
    const stale = await getCanary(kube, ns.name);
    const rv = await recorder.record(stale, { phase: 'Progressing', canaryWeight: 20 });
    expect(rv).toBeDefined();
    await expect(recorder.record(stale, { phase: 'Failed', canaryWeight: 0 })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect((await getCanary(kube, ns.name)).status).toMatchObject({ phase: 'Progressing', canaryWeight: 20 });
  });

  it('fences an unchanged decision: a stale view is refused, a current one costs no write', async () => {
    const stale = await getCanary(kube, ns.name);
    const current = { ...stale, status: { ...stale.status, message: 'moved on' } } as Canary;
    await recorder.record(stale, current.status!);
    await expect(recorder.fence(stale, undefined)()).rejects.toBeInstanceOf(ConflictError);
    const fresh = await getCanary(kube, ns.name);
    await recorder.fence(fresh, undefined)();
    const after = await getCanary(kube, ns.name);
    expect(after.metadata.resourceVersion).toBe(fresh.metadata.resourceVersion);
    // A recorded decision already passed the check: its fence sends nothing.
    const before = requests.length;
    await recorder.fence(fresh, '123')();
    expect(requests.length).toBe(before);
  });

  it('clears or trims an outcome by its id, even after an unrelated edit and with < > & in its text', async () => {
    const canary = await getCanary(kube, ns.name);
    const outcome = {
      id: 'rolled-back@2026-12-01T00:00:00.000Z',
      events: [
        { type: 'Warning' as const, reason: 'Synced', message: 'Canary failed! error-rate 50.00 > 5 & <x>' },
        { type: 'Warning' as const, reason: 'Synced', message: 'Rolling back' },
      ],
      alerts: [
        { kind: 'rolled-back' as const, severity: 'error' as const, message: 'rolled back', reason: 'a > b' },
      ],
      postRollout: true,
    };
    await recorder.record(canary, { ...canary.status, phase: 'Failed', pendingOutcome: outcome });
    // Someone annotates the Canary meanwhile (a gate, kanaria promote): the changes must still land.
    await kube.custom.patchNamespacedCustomObject(
      {
        group: 'kanaria.dev',
        version: 'v1beta1',
        plural: 'canaries',
        namespace: ns.name,
        name: canary.metadata.name,
        body: { metadata: { annotations: { note: 'edited' } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const left = { ...outcome, events: outcome.events.slice(1), alerts: [], postRollout: false, attempts: 1 };
    await recorder.replaceOutcome(canary, outcome.id, left);
    expect((await getCanary(kube, ns.name)).status?.pendingOutcome).toEqual(left);
    // Another record's id: left alone.
    await recorder.clearOutcome(canary, 'promoted@2026-12-01T00:00:01.000Z');
    expect((await getCanary(kube, ns.name)).status?.pendingOutcome).toEqual(left);
    await recorder.clearOutcome(canary, outcome.id);
    const after = await getCanary(kube, ns.name);
    expect(after.status?.pendingOutcome).toBeUndefined();
    expect(after.status?.phase).toBe('Failed');
  });
});
