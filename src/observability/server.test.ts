import { afterEach, describe, expect, it } from 'vitest';
import { OperatorMetrics } from './metrics.ts';
import { startHttpServer, type HttpServer } from './server.ts';

const servers: HttpServer[] = [];

async function start(options: Partial<Parameters<typeof startHttpServer>[0]> = {}): Promise<HttpServer> {
  const server = await startHttpServer({ host: '127.0.0.1', port: 0, ready: () => true, ...options });
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('startHttpServer', () => {
  it('listens on a free port and answers /healthz while the process runs', async () => {
    const server = await start({ ready: () => false });
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok\n');
  });

  it('answers /readyz 503 until ready() turns true', async () => {
    let ready = false;
    const server = await start({ ready: () => ready });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    ready = true;
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it('treats a throwing ready() as not ready', async () => {
    const server = await start({
      ready: () => {
        throw new Error('boom');
      },
    });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
  });

  it('serves the recorded metrics on /metrics', async () => {
    const metrics = new OperatorMetrics();
    metrics.recordStatus('podinfo', 'apps', 'Progressing', 20, 0);
    metrics.setLeader(true);
    const server = await start({ metrics });
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const body = await res.text();
    expect(body).toContain('kanaria_canary_weight{name="podinfo",namespace="apps"} 20');
    expect(body).toContain('kanaria_canary_status{name="podinfo",namespace="apps"} 2');
    expect(body).toContain('kanaria_leader 1');
    expect(body).toContain('process_resident_memory_bytes');
  });

  it('answers 404 for unknown paths and for /metrics without metrics', async () => {
    const server = await start();
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
  });

  it('rejects other methods on the built-in routes', async () => {
    const server = await start();
    const res = await fetch(`${server.url}/healthz`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('hands other requests to extraRoutes before answering 404', async () => {
    const server = await start({
      extraRoutes: (req, res) => {
        if (req.method !== 'POST' || req.url !== '/gate/check') return false;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"open":true}');
        return true;
      },
    });
    const res = await fetch(`${server.url}/gate/check`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ open: true });
    expect((await fetch(`${server.url}/gate/check`)).status).toBe(404);
  });

  it('answers 500 when a route throws', async () => {
    const server = await start({
      extraRoutes: () => {
        throw new Error('broken');
      },
    });
    const res = await fetch(`${server.url}/x`);
    expect(res.status).toBe(500);
  });

  it('closes with keep-alive connections open', async () => {
    const server = await startHttpServer({ host: '127.0.0.1', port: 0, ready: () => true });
    await (await fetch(`${server.url}/healthz`)).text();
    await server.close();
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
