import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1ManagedFieldsEntry, V1ObjectMeta } from '@kubernetes/client-node';
import { patchCanary } from '../../../src/kube/canaries.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { CLI_FIELD_MANAGER, FIELD_MANAGER, GATE_FIELD_MANAGER } from '../../../src/kube/field-managers.ts';
import { KubeWriter } from '../../../src/kube/writer.ts';
import { canaryManifest, createCanary, createPodinfo, getCanary } from '../fixtures.ts';
import { freshNamespace, testKube } from '../helpers.ts';

/** The (manager, operation, subresource) of every managedFields entry, as `kubectl get -o yaml` lists them. */
function managers(entries: V1ManagedFieldsEntry[] | undefined): string[] {
  return (entries ?? []).map((e) => [e.manager, e.operation, e.subresource].filter(Boolean).join(' '));
}

async function canaryManagedFields(kube: Kube, namespace: string): Promise<V1ManagedFieldsEntry[]> {
  const { metadata } = (await getCanary(kube, namespace)) as { metadata: V1ObjectMeta };
  return metadata.managedFields ?? [];
}

/** The manager of the entry that lists `field` (e.g. `f:replicas`). */
function ownerOf(entries: V1ManagedFieldsEntry[], field: string): string | undefined {
  return entries.find((e) => JSON.stringify(e.fieldsV1 ?? {}).includes(`"${field}"`))?.manager;
}

/**
 * Every write names its writer in managedFields, so `kubectl get -o yaml --show-managed-fields` and
 * a server-side apply conflict say who owns a field: the operator as `kanaria`, a person's request as
 * the CLI or the gate, never the client library's default.
 */
describe('field managers on the real API server', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let writer: KubeWriter;

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'field-manager');
    writer = new KubeWriter(kube, 'test', () => undefined);
    await createPodinfo(kube, ns.name);
    await createCanary(kube, canaryManifest(ns.name));
  });
  afterAll(async () => ns?.cleanup());

  it('writes a Canary status, its metadata and a scale as kanaria', async () => {
    await writer.patchCanaryStatus(ns.name, 'podinfo', { phase: 'Progressing', canaryWeight: 10 });
    await writer.patchCanaryMetadata(ns.name, 'podinfo', { finalizers: ['kanaria.dev/finalizer'] });
    await writer.scaleDeployment(ns.name, 'podinfo', 3);

    const canaryFields = await canaryManagedFields(kube, ns.name);
    // The test created the Canary (the client library's default name); every later write is kanaria's.
    expect(canaryFields.filter((e) => e.subresource === 'status').map((e) => e.manager)).toEqual([
      FIELD_MANAGER,
    ]);
    expect(ownerOf(canaryFields, 'f:finalizers')).toBe(FIELD_MANAGER);
    const deployment = await kube.apps.readNamespacedDeployment({ namespace: ns.name, name: 'podinfo' });
    expect(deployment.spec?.replicas).toBe(3);
    expect(ownerOf(deployment.metadata?.managedFields ?? [], 'f:replicas')).toBe(FIELD_MANAGER);
    await writer.patchCanaryMetadata(ns.name, 'podinfo', { finalizers: null });
  });

  it('creates Events as kanaria', async () => {
    const canary = await getCanary(kube, ns.name);
    await writer.createEvent({
      namespace: ns.name,
      regarding: {
        apiVersion: 'kanaria.dev/v1beta1',
        kind: 'Canary',
        name: 'podinfo',
        uid: canary.metadata.uid,
      },
      now: new Date(),
      action: 'Progressing',
      reason: 'Synced',
      note: 'Advance podinfo canary weight 10',
      type: 'Normal',
    });
    const events = await kube.events.listNamespacedEvent({
      namespace: ns.name,
      fieldSelector: 'regarding.kind=Canary',
    });
    expect(events.items.flatMap((e) => managers(e.metadata?.managedFields))).toEqual([
      `${FIELD_MANAGER} Update`,
    ]);
  });

  it('names a request of the gate or of the CLI after it', async () => {
    await patchCanary(
      kube,
      ns.name,
      'podinfo',
      { metadata: { annotations: { a: '1' } } },
      GATE_FIELD_MANAGER,
    );
    await patchCanary(kube, ns.name, 'podinfo', { metadata: { annotations: { b: '1' } } }, CLI_FIELD_MANAGER);
    const canaryManagers = managers(await canaryManagedFields(kube, ns.name));
    expect(canaryManagers).toContain(`${GATE_FIELD_MANAGER} Update`);
    expect(canaryManagers).toContain(`${CLI_FIELD_MANAGER} Update`);
  });
});
