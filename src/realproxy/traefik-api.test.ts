import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaryWeights } from './traefik-api.ts';

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
  {
    name: 'other-podinfo-podinfo-80-wrr@kubernetesingressnginx',
    type: 'weighted',
    weighted: { services: [{ name: 'x' }, { name: 'x-canary', weight: 10 }] },
  },
];

describe("Traefik's API", () => {
  let server: Server;
  let apiUrl: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.writeHead(req.url === '/api/http/services' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(SERVICES));
    });
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, () => resolve()));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("reads the canary weight of a namespace's Ingress, and nothing of other namespaces", async () => {
    expect([...(await canaryWeights(apiUrl, 'bg-1', 'podinfo'))]).toEqual([
      ['bg-1-podinfo-podinfo-80-wrr@kubernetesingressnginx', 100],
    ]);
    expect((await canaryWeights(apiUrl, 'bg-2', 'podinfo')).size).toBe(0);
  });
});
