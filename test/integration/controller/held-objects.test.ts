/**
 * The controller's ConfigMaps and Secrets against the local control plane: only the referenced ones are
 * held, changes to them arrive through the change stream, every other object is dropped on arrival.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heldObjects, type HeldObjects } from '../../../src/controller/held-objects.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { NotHeldError } from '../../../src/kube/selective-cache.ts';
import type { KubernetesObject } from '../../../src/kube/types.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { freshNamespace, testKube, waitFor } from '../helpers.ts';

const RELEASE_DATA = Buffer.alloc(20 * 1024, 'h').toString('base64');

describe('held ConfigMaps and Secrets', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let held: HeldObjects;
  const changes: string[] = [];

  const helmSecret = (i: number) =>
    kube.core.createNamespacedSecret({
      namespace: ns.name,
      body: {
        metadata: { name: `sh.helm.release.v1.app${i}.v1`, labels: { owner: 'helm' } },
        type: 'helm.sh/release.v1',
        data: { release: RELEASE_DATA },
      },
    });

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'held');
    await Promise.all(Array.from({ length: 30 }, (_, i) => helmSecret(i)));
    await kube.core.createNamespacedConfigMap({
      namespace: ns.name,
      body: { metadata: { name: 'app-config' }, data: { greeting: 'hello' } },
    });
    await kube.core.createNamespacedSecret({
      namespace: ns.name,
      body: { metadata: { name: 'app-secret' }, stringData: { token: 'one' } },
    });
    held = heldObjects({
      kube,
      log: createLogger('warn'),
      namespace: ns.name,
      clock: Date.now,
      onChange: (obj: KubernetesObject, kind) => changes.push(`${kind} ${obj.metadata?.name}`),
      onRecovered: () => {},
    });
    await Promise.all(held.streams.map((s) => s.started));
  });
  afterAll(async () => {
    await Promise.all(held?.streams.map((s) => s.stop()) ?? []);
    await ns?.cleanup();
  });

  it('holds what was asked for, present or absent, and none of the 30 release Secrets', async () => {
    await held.configMaps.ensure([
      { namespace: ns.name, name: 'app-config' },
      { namespace: ns.name, name: 'app-config-primary' },
    ]);
    await held.secrets.ensure([{ namespace: ns.name, name: 'app-secret' }]);
    expect(held.configMaps.get('app-config', ns.name)?.data).toEqual({ greeting: 'hello' });
    expect(held.configMaps.get('app-config-primary', ns.name)).toBeUndefined();
    expect(Buffer.from(held.secrets.get('app-secret', ns.name)!.data!.token, 'base64').toString()).toBe(
      'one',
    );
    expect(() => held.secrets.get('sh.helm.release.v1.app1.v1', ns.name)).toThrow(NotHeldError);
    // New release Secrets stream past and are dropped.
    await Promise.all([30, 31, 32].map(helmSecret));
    const live = await kube.core.readNamespacedSecret({ namespace: ns.name, name: 'app-secret' });
    live.data = { token: Buffer.from('two').toString('base64') };
    await kube.core.replaceNamespacedSecret({ namespace: ns.name, name: 'app-secret', body: live });
    await waitFor('the changed Secret in the cache', async () => {
      const token = held.secrets.get('app-secret', ns.name)?.data?.token;
      return token !== undefined && Buffer.from(token, 'base64').toString() === 'two';
    });
    expect(held.secrets.list().map((s) => s.metadata?.name)).toEqual(['app-secret']);
    expect(held.secrets.size).toBe(1);
    expect(changes).toContain('Secret app-secret');
    expect(changes.some((c) => c.includes('helm'))).toBe(false);
  });

  it('sees a held absent object created, changed and deleted', async () => {
    await held.configMaps.ensure([{ namespace: ns.name, name: 'app-config-primary' }]);
    await kube.core.createNamespacedConfigMap({
      namespace: ns.name,
      body: { metadata: { name: 'app-config-primary' }, data: { greeting: 'copied' } },
    });
    await waitFor('the created ConfigMap', async () =>
      held.configMaps.get('app-config-primary', ns.name)?.data?.greeting === 'copied' ? true : undefined,
    );
    await kube.core.deleteNamespacedConfigMap({ namespace: ns.name, name: 'app-config-primary' });
    await waitFor('the deleted ConfigMap gone', async () =>
      held.configMaps.get('app-config-primary', ns.name) === undefined ? true : undefined,
    );
    expect(changes).toContain('ConfigMap app-config-primary');
  });
});
