import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpMatch } from '../../../src/api/types.ts';
import { Applier, type ApplyContext } from '../../../src/controller/apply.ts';
import { ConflictError } from '../../../src/controller/record.ts';
import { statusCode, type Kube } from '../../../src/kube/client.ts';
import type { V1Ingress } from '../../../src/kube/types.ts';
import { KubeWriter } from '../../../src/kube/writer.ts';
import { APPLIED_HASH_ANNOTATION } from '../../../src/resources/meta.ts';
import { canaryManifest, createCanary, createPodinfo, getCanary } from '../fixtures.ts';
import { freshNamespace, testKube } from '../helpers.ts';
import { applierCaches } from './applier-caches.ts';

const P = 'nginx.ingress.kubernetes.io';
const HEADER: HttpMatch[] = [{ headers: { 'x-canary': { exact: 'insider' } } }];

/**
 * A weight step that changes only the canary-weight annotation is a merge patch of it (cheaper for the
 * API server than applying the whole Ingress); every other change is a server-side apply, which is what
 * drops annotations a step no longer wants and undoes hand edits. Run against the real API server, which
 * keeps the field ownership that decides whether an apply removes an annotation.
 */
describe('canary Ingress weight steps', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  const requests: string[] = [];
  let applier: Applier;
  let live: V1Ingress | undefined;
  let ctx: () => Promise<ApplyContext>;

  const readCanaryIngress = () =>
    kube.networking.readNamespacedIngress({ name: 'podinfo-canary', namespace: ns.name });

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'weight-patch');
    await createPodinfo(kube, ns.name, { replicas: 1 });
    await createCanary(kube, canaryManifest(ns.name));
    const canary = await getCanary(kube, ns.name);
    const caches = applierCaches({ ingresses: { get: () => live, list: () => (live ? [live] : []) } });
    const writer = new KubeWriter(kube, 'test', (verb, resource) => requests.push(`${verb} ${resource}`));
    applier = new Applier(caches, writer, P);
    const target = await kube.apps.readNamespacedDeployment({ name: 'podinfo', namespace: ns.name });
    ctx = async () => ({
      canary,
      spec: canary.spec,
      status: { phase: 'Progressing' },
      target,
      ingress: await kube.networking.readNamespacedIngress({ name: 'podinfo', namespace: ns.name }),
      selectorLabel: 'app',
      configs: {},
      primaryReady: true,
      fence: async () => undefined,
    });
  });
  afterAll(async () => ns?.cleanup());

  /** One weight step as the watch cache would see the Ingress now; returns the request it sent. */
  async function step(weight: number, rules?: HttpMatch[]): Promise<string | undefined> {
    live = await readCanaryIngress().catch(() => undefined);
    const before = requests.length;
    await applier.execute(await ctx(), {
      type: 'setWeight',
      weight,
      match: rules !== undefined,
      ...(rules ? { rules } : {}),
    });
    expect(requests.length - before, `requests for weight ${weight}`).toBeLessThanOrEqual(1);
    return requests[before];
  }

  /** The canary Ingress's routing annotations now (those under the ingress-nginx prefix). */
  async function routing(): Promise<Record<string, string>> {
    const annotations = (await readCanaryIngress()).metadata?.annotations ?? {};
    return Object.fromEntries(Object.entries(annotations).filter(([k]) => k.startsWith(`${P}/`)));
  }

  it('patches a weight-only change, applies any other, and an apply still drops what a patch left behind', async () => {
    expect(await step(0)).toBe('apply ingresses'); // created
    expect(await step(10)).toBe('patch ingresses');
    expect(await routing()).toEqual({ [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '10' });

    // The header route comes in: the apply adds it (and sets the weight the patch owned).
    expect(await step(0, HEADER)).toBe('apply ingresses');
    expect(await step(20, HEADER)).toBe('patch ingresses');
    expect(await routing()).toEqual({
      [`${P}/canary`]: 'true',
      [`${P}/canary-weight`]: '20',
      [`${P}/canary-by-header`]: 'x-canary',
      [`${P}/canary-by-header-value`]: 'insider',
    });

    // The header route goes: only an apply drops its annotations; the weight set by a patch is right too.
    expect(await step(30)).toBe('apply ingresses');
    expect(await routing()).toEqual({ [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '30' });
    expect(await step(30)).toBeUndefined(); // nothing changed: no request

    // The object says which apply it holds: the next patch is still recognised as weight-only.
    expect(await step(40)).toBe('patch ingresses');
    const patched = await readCanaryIngress();
    expect(patched.metadata?.annotations?.[APPLIED_HASH_ANNOTATION]).toBeDefined();
    expect(await step(40)).toBeUndefined();
  });

  it('sends the patch only onto the version it checked: from a stale cache it is refused and changes nothing', async () => {
    const stale = await readCanaryIngress(); // weight 40
    expect(await step(45)).toBe('patch ingresses');
    live = stale;
    const refused = await applier.execute(await ctx(), { type: 'setWeight', weight: 50, match: false }).then(
      () => undefined,
      (err: unknown) => err,
    );
    // A conflict like a stale status write: retried shortly and logged at debug, not warn.
    expect(refused).toBeInstanceOf(ConflictError);
    expect(statusCode((refused as Error).cause)).toBe(409);
    expect((await routing())[`${P}/canary-weight`]).toBe('45');
    expect(await step(50)).toBe('patch ingresses'); // the next pass, from the cache that caught up
    expect((await routing())[`${P}/canary-weight`]).toBe('50');
  });

  it('applies in full after a hand edit, so the edit is undone along with the weight step', async () => {
    await kube.networking.patchNamespacedIngress({
      name: 'podinfo-canary',
      namespace: ns.name,
      body: [{ op: 'replace', path: '/spec/rules/0/host', value: 'edited.example.com' }],
    });
    expect(await step(60)).toBe('apply ingresses');
    const after = await readCanaryIngress();
    expect(after.spec?.rules?.[0]?.host).toBe('app.example.com');
    expect(after.metadata?.annotations?.[`${P}/canary-weight`]).toBe('60');
  });
});
