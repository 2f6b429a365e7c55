/**
 * Session affinity of provider gatewayapi:v1 on a real Traefik (Gateway API provider) in front of pod
 * processes: the HTTPRoute Kanaria builds at weight 20 with `analysis.sessionAffinity` makes the canary's
 * answers set the cookie, and every request that carries it reaches the canary; at weight 0 nobody does.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GATEWAY_API_GROUP } from '../../src/router/httproute-types.ts';
import { buildHttpRoute } from '../../src/router/gatewayapi.ts';
import type { CanarySpec } from '../../src/api/types.ts';
import type { Kube } from '../../src/kube/client.ts';
import { traefikGateway } from '../../src/realproxy/gateway.ts';
import { findTraefik, startTraefik, TRAEFIK_MISSING, type Traefik } from '../../src/realproxy/traefik.ts';
import { app, freshNamespace, testKube, waitFor, waitForProcesses } from './helpers.ts';

const traefikBinary = await findTraefik();
if (!traefikBinary) throw new Error(`realpods: ${TRAEFIK_MISSING}`);

const HOST = 'sticky.example.local';
const COOKIE = 'canary-session';

/** One GET through Traefik (node:http: fetch cannot set Host): the version that answered and its Set-Cookie. */
function get(url: string, cookie?: string): Promise<{ status: number; version: string; setCookie?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host: HOST, ...(cookie ? { cookie } : {}) } }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          version: String(res.headers['x-pod-version'] ?? ''),
          setCookie: res.headers['set-cookie']?.[0],
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('session affinity on Traefik (Gateway API provider)', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let proxy: Traefik | undefined;
  let spec: CanarySpec;

  const writeRoute = async (weight: number) => {
    const route = buildHttpRoute({
      spec,
      namespace: ns.name,
      owner: { apiVersion: 'kanaria.dev/v1beta1', kind: 'Canary', name: 'podinfo', uid: 'u-1' },
      routes: { weight, match: false },
      revision: '0123abcd4567ef89',
    });
    // No Canary owns it here (the garbage collector would delete a route whose owner does not exist).
    delete route.metadata!.ownerReferences;
    const api = { group: GATEWAY_API_GROUP, version: 'v1', namespace: ns.name, plural: 'httproutes' };
    const existing = await kube.custom
      .getNamespacedCustomObject({ ...api, name: 'podinfo' })
      .catch(() => undefined);
    if (existing) {
      const rv = (existing as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
      route.metadata = { ...route.metadata, resourceVersion: rv };
      await kube.custom.replaceNamespacedCustomObject({ ...api, name: 'podinfo', body: route });
    } else await kube.custom.createNamespacedCustomObject({ ...api, body: route });
  };

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'affinity');
    await app(kube, ns.name, 'podinfo-primary', '1.0.0');
    await app(kube, ns.name, 'podinfo-canary', '2.0.0');
    await waitForProcesses(kube, ns.name, 'app=podinfo-primary', 2);
    await waitForProcesses(kube, ns.name, 'app=podinfo-canary', 2);
    proxy = await startTraefik({
      binary: traefikBinary,
      kubeconfig: inject('kubeconfig'),
      namespace: ns.name,
      gatewayApi: true,
    });
    await traefikGateway(kube, { namespace: ns.name, port: proxy.webPort });
    spec = {
      provider: 'gatewayapi:v1',
      targetRef: { name: 'podinfo' },
      service: { port: 80, hosts: [HOST], gatewayRefs: [{ name: 'gateway' }] },
      analysis: { interval: '1m', stepWeight: 10, sessionAffinity: { cookieName: COOKIE, maxAge: 600 } },
    };
  });
  afterAll(async () => {
    await proxy?.stop();
    await ns?.cleanup();
  });

  it('a client the canary answered gets the cookie and stays on the canary; at weight 0 it does not', async () => {
    await writeRoute(20);
    const url = `${proxy!.url}/`;
    const first = await waitFor('a canary answer through Traefik', async () => {
      const answer = await get(url);
      return answer.version === '2.0.0' && answer;
    }).catch(async (err: Error) => {
      const route = await kube.custom.getNamespacedCustomObject({
        group: GATEWAY_API_GROUP,
        version: 'v1',
        namespace: ns.name,
        plural: 'httproutes',
        name: 'podinfo',
      });
      const status = (route as { status?: unknown }).status;
      const res = await get(url);
      throw new Error(
        `${err.message}; a request got ${res.status}; route status ${JSON.stringify(status)}\n--- traefik log:\n${await proxy!.logTail(20)}`,
      );
    });
    expect(first.setCookie).toBe(`${COOKIE}=k0123abcd4567ef89; Max-Age=600; Path=/`);
    const cookie = first.setCookie!.split(';')[0];
    // Without the cookie about 20% reach the canary, and only its answers set the cookie.
    const plain = await Promise.all(Array.from({ length: 200 }, () => get(url)));
    const plainCanary = plain.filter((a) => a.version === '2.0.0');
    expect(plain.filter((a) => a.setCookie && a.version !== '2.0.0')).toEqual([]);
    expect(plainCanary.every((a) => a.setCookie?.startsWith(`${COOKIE}=`))).toBe(true);
    // With it, every request reaches the canary (among other cookies too).
    const withCookie = await Promise.all(
      Array.from({ length: 200 }, (_, i) => get(url, i % 2 ? cookie : `theme=dark; ${cookie}`)),
    );
    const sticky = withCookie.filter((a) => a.version === '2.0.0').length;
    console.log(
      `weight 20: ${plainCanary.length}/200 without the cookie on the canary, ${sticky}/200 with it`,
    );
    expect(sticky).toBe(200);
    expect(plainCanary.length).toBeGreaterThan(10);
    expect(plainCanary.length).toBeLessThan(70);

    await writeRoute(0);
    await waitFor('weight 0 in Traefik: the cookie no longer leads to the canary', async () => {
      const answers = await Promise.all(Array.from({ length: 20 }, () => get(url, cookie)));
      return answers.every((a) => a.version === '1.0.0' && !a.setCookie);
    });
    const after = await Promise.all(Array.from({ length: 200 }, () => get(url, cookie)));
    expect(after.filter((a) => a.version !== '1.0.0')).toEqual([]);
  });
});
