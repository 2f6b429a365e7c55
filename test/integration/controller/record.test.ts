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

  it('clears a delivered outcome even after an unrelated edit, and leaves a different one alone', async () => {
    const canary = await getCanary(kube, ns.name);
    const outcome = {
      events: [{ type: 'Warning' as const, reason: 'Synced', message: 'Canary failed!' }],
      alert: {
        kind: 'rolled-back' as const,
        severity: 'error' as const,
        message: 'rolled back',
        reason: 'x',
      },
      postRollout: true,
    };
    await recorder.record(canary, { ...canary.status, phase: 'Failed', pendingOutcome: outcome });
    expect((await getCanary(kube, ns.name)).status?.pendingOutcome?.alert.kind).toBe('rolled-back');
    // Someone annotates the Canary meanwhile (a gate, kanaria promote): the clear must still land.
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
    await recorder.clearOutcome(canary, { ...outcome, alert: { ...outcome.alert, message: 'another' } });
    expect((await getCanary(kube, ns.name)).status?.pendingOutcome).toBeDefined();
    await recorder.clearOutcome(canary, outcome);
    const after = await getCanary(kube, ns.name);
    expect(after.status?.pendingOutcome).toBeUndefined();
    expect(after.status?.phase).toBe('Failed');
  });
});
