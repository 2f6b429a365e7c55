import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayRouteWeights, ingressRouting, routesIngressAt } from './traefik-api.ts';

// Shaped like what Traefik 3.7.13's /api/http/services answered for a canary Ingress at weight 100.
const SERVICES = [
  { name: 'api@internal', provider: 'internal', status: 'enabled' },
  {
    name: 'bg-1-podinfo-podinfo-80-canary@kubernetesingressnginx',
    type: 'loadbalancer',
    loadBalancer: { servers: [{ url: 'http://198.18.0.1:9898' }] },
  },
  {
    name: 'bg-1-podinfo-podinfo-80-wrr@kubernetesingressnginx',
    type: 'weighted',
    weighted: {
      services: [
        { name: 'bg-1-podinfo-podinfo-80', weight: 0 },
        { name: 'bg-1-podinfo-podinfo-80-canary', weight: 100 },
      ],
    },
  },
  // After a rollback scaled the canary down: the provider routes by the primary alone, no weighted service.
  {
    name: 'bg-3-podinfo-podinfo-80@kubernetesingressnginx',
    type: 'loadbalancer',
    loadBalancer: { servers: [{ url: 'http://198.18.0.2:9898' }] },
  },
  {
    name: 'other-podinfo-podinfo-80-wrr@kubernetesingressnginx',
    type: 'weighted',
    weighted: { services: [{ name: 'x' }, { name: 'x-canary', weight: 10 }] },
  },
];

// Shaped like what Traefik 3.7.13's Gateway provider showed for HTTPRoute `podinfo` of namespace `ns-1` on
// Gateway `gateway`: rule 0 with two matches (one weighted service each, every request to the canary)
// and rule 1 splitting 100/0; of the backends' own services (type loadbalancer) only one is kept.
const gw = (hash: string, rule: number) => `httproute-ns-1-podinfo-gw-ns-1-gateway-ep-web-${rule}-${hash}`;
const wrr = (hash: string, rule: number, primary: number, canary: number) => ({
  name: `${gw(hash, rule)}-wrr@kubernetesgateway`,
  provider: 'kubernetesgateway',
  type: 'weighted',
  weighted: {
    services: [
      { name: `${gw(hash, rule)}-svc-ns-1-podinfo-primary-0`, weight: primary },
      { name: `${gw(hash, rule)}-svc-ns-1-podinfo-canary-1`, weight: canary },
    ],
  },
});
const GATEWAY_SERVICES = [
  wrr('13d5508074eaff1a5b89', 0, 0, 100),
  wrr('402bd888b1225cf6e9f3', 0, 0, 100),
  wrr('46ab9ca0df27a0aa0522', 1, 100, 0),
  {
    name: `${gw('46ab9ca0df27a0aa0522', 1)}-svc-ns-1-podinfo-canary-1@kubernetesgateway`,
    type: 'loadbalancer',
  },
  // Another namespace's route of the same name.
  {
    ...wrr('46ab9ca0df27a0aa0522', 1, 80, 20),
    name: 'httproute-ns-2-podinfo-gw-ns-2-gateway-ep-web-1-46ab9ca0df27a0aa0522-wrr@kubernetesgateway',
  },
];

describe("Traefik's API", () => {
  let server: Server;
  let apiUrl: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.writeHead(req.url === '/api/http/services' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify([...SERVICES, ...GATEWAY_SERVICES]));
    });
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, () => resolve()));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("reads the canary weight of a namespace's Ingress, and nothing of other namespaces", async () => {
    expect([...(await ingressRouting(apiUrl, 'bg-1', 'podinfo')).canaryWeights]).toEqual([
      ['bg-1-podinfo-podinfo-80-wrr@kubernetesingressnginx', 100],
    ]);
    expect((await ingressRouting(apiUrl, 'bg-2', 'podinfo')).canaryWeights.size).toBe(0);
  });

  it('tells weight 0 from a canary Traefik drops with its endpoints, and not from an Ingress it does not serve', async () => {
    expect(await routesIngressAt(apiUrl, 'bg-1', 'podinfo', 100)).toBe(true);
    expect(await routesIngressAt(apiUrl, 'bg-1', 'podinfo', 0)).toBe(false);
    expect(await routesIngressAt(apiUrl, 'bg-3', 'podinfo', 0)).toBe(true);
    expect(await routesIngressAt(apiUrl, 'bg-3', 'podinfo', 10)).toBe(false);
    expect(await routesIngressAt(apiUrl, 'bg-2', 'podinfo', 0)).toBe(false);
  });

  it("reads each rule's weighted service of an HTTPRoute, by rule index and backend Service", async () => {
    const rules = await gatewayRouteWeights(apiUrl, 'ns-1', 'podinfo');
    expect(rules.map((r) => [r.rule, Object.fromEntries(r.weights)])).toEqual([
      [0, { 'podinfo-primary': 0, 'podinfo-canary': 100 }],
      [0, { 'podinfo-primary': 0, 'podinfo-canary': 100 }],
      [1, { 'podinfo-primary': 100, 'podinfo-canary': 0 }],
    ]);
    expect(await gatewayRouteWeights(apiUrl, 'ns-1', 'other')).toEqual([]);
    expect(await gatewayRouteWeights(apiUrl, 'ns-1', 'podinfo', { gateway: 'closed' })).toEqual([]);
  });
});
