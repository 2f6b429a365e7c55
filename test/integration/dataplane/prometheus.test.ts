import { createServer, type Server } from 'node:http';
import { access } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusError, startPrometheus } from '../../../src/devcluster/prometheus.ts';
import { waitFor } from '../helpers.ts';

/** A /metrics endpoint exposing one gauge whose value names the server. */
async function metricsServer(value: number): Promise<{ server: Server; target: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(`# TYPE fake_value gauge\nfake_value ${value}\n`);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, () => resolve()));
  return { server, target: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function values(url: string): Promise<number[]> {
  const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: 'fake_value' })}`);
  const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
  return body.data.result.map((r) => Number(r.value[1])).sort();
}

describe('startPrometheus', () => {
  let a: { server: Server; target: string };
  let b: { server: Server; target: string };

  beforeAll(async () => {
    a = await metricsServer(1);
    b = await metricsServer(2);
  });
  afterAll(() => {
    a.server.close();
    b.server.close();
  });

  it('scrapes its targets every second, reloads new ones and cleans up at stop', async () => {
    const prom = await startPrometheus({ scrapeTargets: [a.target] });
    try {
      expect(prom.url).toBe(`http://127.0.0.1:${prom.port}`);
      await waitFor(
        'a scrape of the first target',
        async () => (await values(prom.url)).length === 1,
        20_000,
        250,
      );
      expect(await values(prom.url)).toEqual([1]);
      await prom.reload([a.target, b.target]);
      await waitFor(
        'a scrape of both targets',
        async () => (await values(prom.url)).length === 2,
        20_000,
        250,
      );
      expect(await values(prom.url)).toEqual([1, 2]);
    } finally {
      await prom.stop();
    }
    await expect(fetch(`${prom.url}/-/ready`)).rejects.toThrow();
    await expect(access(prom.dir)).rejects.toThrow();
    await prom.stop(); // idempotent
  });

  it('fails clearly when the binary is missing', async () => {
    const err = await startPrometheus({ scrapeTargets: [], binary: '/nonexistent/prometheus' }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(PrometheusError);
    expect(err).toMatchObject({
      code: 'ENOTFOUND',
      message: expect.stringContaining('bash hack/build-binaries.sh prometheus'),
    });
  });

  it('reports the tail of its output when it exits during start-up', async () => {
    const err = await startPrometheus({ scrapeTargets: [], extraArgs: ['--no-such-flag'] }).catch((e) => e);
    expect(err).toBeInstanceOf(PrometheusError);
    expect(err.code).toBe('EEXITED');
    expect(err.message).toMatch(/no-such-flag/);
  });

  it('refuses a port that is already in use', async () => {
    const port = Number(a.target.split(':')[1]);
    const err = await startPrometheus({ scrapeTargets: [], port }).catch((e) => e);
    expect(err).toMatchObject({ code: 'EPORTINUSE' });
  });
});
