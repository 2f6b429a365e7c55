import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvider } from './metrics/provider.ts';
import { observeSplit, splitQueries } from './split.ts';

const vars = {
  namespace: 'test',
  ingress: 'podinfo',
  service: 'podinfo',
  port: 80,
  portName: 'http',
  window: '10s',
};

/** The service labels a real Traefik 3.7.13 exported (testdata/traefik-answers.json). */
const recorded = (
  JSON.parse(readFileSync(new URL('./metrics/testdata/traefik-answers.json', import.meta.url), 'utf8')) as {
    series: { data: { result: { metric: Record<string, string> }[] } };
  }
).series.data.result
  .map((r) => r.metric.service)
  .filter((s, i, all) => all.indexOf(s) === i);

/** PromQL `=~` is a fully anchored RE2 match; these patterns use nothing RE2 and JS read differently. */
function selected(query: string, service: string): boolean {
  const pattern = /service=~"([^"]+)"/.exec(query)?.[1] ?? '';
  return new RegExp(`^(?:${pattern})$`).test(service);
}

describe('observed split queries', () => {
  it('ingress-nginx: canary requests by the main Ingress and canary label, all requests by the apex Service', () => {
    const canary = 'nginx_ingress_controller_requests{namespace="test",ingress="podinfo",canary!=""}';
    const total = 'nginx_ingress_controller_requests{namespace="test",service="podinfo"}';
    expect(splitQueries(vars)).toEqual({
      canary: `(sum(${canary}) or vector(0)) - (sum(${canary} offset 10s) or vector(0))`,
      total: `sum(${total}) - (sum(${total} offset 10s) or vector(0))`,
    });
  });

  it('traefik: the canary service of the original Ingress; all requests to the apex Service through any Ingress', () => {
    const queries = splitQueries({ ...vars, ingressController: 'traefik' });
    const canary =
      'traefik_service_requests_total{service=~"test-podinfo-podinfo-(80|http)-canary@kubernetesingressnginx"}';
    expect(queries.canary).toBe(`(sum(${canary}) or vector(0)) - (sum(${canary} offset 10s) or vector(0))`);
    const podinfo = recorded.filter((s) => s.startsWith('test-podinfo-'));
    expect(podinfo).toHaveLength(2);
    for (const service of podinfo) expect(selected(queries.total, service), service).toBe(true);
    expect(selected(queries.canary, 'test-podinfo-podinfo-80-canary@kubernetesingressnginx')).toBe(true);
    expect(selected(queries.canary, 'test-podinfo-podinfo-80@kubernetesingressnginx')).toBe(false);
    // Another Ingress that sends the app's requests to the apex Service without the canary counts in the total.
    expect(selected(queries.total, 'test-podinfo-api-podinfo-80@kubernetesingressnginx')).toBe(true);
    for (const service of recorded.filter((s) => s.startsWith('test-web-')))
      expect(selected(queries.total, service), service).toBe(false);
  });
});

describe('observeSplit', () => {
  let server: Server;
  let url = '';
  const answers = new Map<string, string | undefined>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams.get('query') ?? '';
      const value = answers.get(query);
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          status: 'success',
          data: {
            resultType: 'vector',
            result: value === undefined ? [] : [{ metric: {}, value: [1, value] }],
          },
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('says nothing when a counter went down (the proxy restarted)', async () => {
    const queries = splitQueries({ ...vars, ingress: 'reset', service: 'reset' });
    answers.set(queries.canary, '-20');
    answers.set(queries.total, '300');
    const result = await observeSplit(
      createProvider({ type: 'prometheus', address: url }, { now: Date.now }),
      queries,
    );
    expect(result.split).toBeUndefined();
    expect(result.message).toBe('observed split unknown: a request counter was reset');
  });

  it('rounds the counts', async () => {
    const queries = splitQueries(vars);
    answers.set(queries.canary, '243.6');
    answers.set(queries.total, '1240.2');
    const result = await observeSplit(
      createProvider({ type: 'prometheus', address: url }, { now: Date.now }),
      queries,
    );
    expect(result).toMatchObject({ kind: 'split', ok: true, split: { canary: 244, total: 1240 } });
  });

  it('has no counts (and does not fail) when the data plane has no series yet', async () => {
    const queries = splitQueries({ ...vars, ingress: 'quiet', service: 'quiet' });
    const result = await observeSplit(
      createProvider({ type: 'prometheus', address: url }, { now: Date.now }),
      queries,
    );
    expect(result.ok).toBe(true);
    expect(result.split).toBeUndefined();
    expect(result.message).toBe('observed split unknown: no requests counted yet');
  });
});
