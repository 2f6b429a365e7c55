import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runMetricCheck } from '../../../src/checks/metrics/evaluate.ts';
import { createProvider, type ProviderConfig } from '../../../src/checks/metrics/provider.ts';
import { json, rejection, startFakeServer, text, type FakeServer } from './fake-server.ts';

const NOW_MS = Date.parse('2025-01-01T00:00:00Z');
const now = () => NOW_MS;
const canary = { name: 'podinfo', namespace: 'test', target: 'podinfo' };
const credentials = { datadog_api_key: 'api-key', datadog_application_key: 'app-key' };

function series(points: [number, number | null][]) {
  return {
    status: 'ok',
    res_type: 'time_series',
    series: [
      { metric: 'istio.mesh.request.count', pointlist: points, scope: 'destination_workload:podinfo' },
    ],
  };
}

describe('datadog provider against a fake Datadog API', () => {
  let server: FakeServer;
  const config = (extra: Partial<ProviderConfig> = {}): ProviderConfig => ({
    type: 'datadog',
    address: server.url,
    credentials,
    timeoutMs: 2_000,
    ...extra,
  });

  beforeAll(async () => {
    server = await startFakeServer((_req, res) => json(res, 200, series([[NOW_MS, 1]])));
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.handle((_req, res) => json(res, 200, series([[NOW_MS, 1]])));
  });

  it('queries /api/v1/query over 10 intervals with the key headers and takes the last point', async () => {
    server.handle((_req, res) =>
      json(
        res,
        200,
        series([
          [NOW_MS - 120_000, 1.5],
          [NOW_MS - 60_000, 2.5],
          [NOW_MS, null],
        ]),
      ),
    );
    const provider = createProvider(config(), { now, interval: '2m' });
    await expect(provider.runQuery('  sum:requests{service:podinfo}.as_count()\n')).resolves.toBe(2.5);
    const [req] = server.requests;
    expect(req.method).toBe('GET');
    expect(req.url.pathname).toBe('/api/v1/query');
    expect(req.url.searchParams.get('query')).toBe('sum:requests{service:podinfo}.as_count()');
    expect(req.url.searchParams.get('to')).toBe(String(NOW_MS / 1000));
    expect(req.url.searchParams.get('from')).toBe(String(NOW_MS / 1000 - 10 * 120));
    expect(req.headers['dd-api-key']).toBe('api-key');
    expect(req.headers['dd-application-key']).toBe('app-key');
  });

  it('evaluates a template query end to end', async () => {
    server.handle((_req, res) => json(res, 200, series([[NOW_MS, 7.456]])));
    const result = await runMetricCheck({
      metric: { name: 'not-found-percentage', templateRef: { name: 'dd' }, thresholdRange: { max: 5 } },
      canary,
      templateQuery: 'sum:istio.mesh.request.count{destination_workload:{{ target }},!response_code:404}',
      provider: (interval) => createProvider(config(), { now, interval }),
    });
    expect(result).toMatchObject({
      ok: false,
      value: 7.456,
      message: 'metric not-found-percentage 7.46 > 5',
    });
    expect(server.requests[0].url.searchParams.get('query')).toBe(
      'sum:istio.mesh.request.count{destination_workload:podinfo,!response_code:404}',
    );
  });

  it('isOnline validates the keys on /api/v1/validate', async () => {
    server.handle((_req, res) => json(res, 200, { valid: true }));
    await expect(createProvider(config(), { now }).isOnline()).resolves.toBeUndefined();
    const [req] = server.requests;
    expect(req.url.pathname).toBe('/api/v1/validate');
    expect(req.headers['dd-api-key']).toBe('api-key');
    server.handle((_req, res) => json(res, 403, { errors: ['Forbidden'] }));
    const err = await rejection(createProvider(config(), { now }).isOnline());
    expect(err.code).toBe('EUNAUTHORIZED');
    expect(err.message).toBe('datadog rejected the credentials (HTTP 403): Forbidden');
  });

  it('401 is EUNAUTHORIZED and a failed check', async () => {
    server.handle((_req, res) => json(res, 401, { errors: ['Unauthorized'] }));
    const provider = createProvider(config(), { now });
    expect((await rejection(provider.runQuery('x'))).code).toBe('EUNAUTHORIZED');
    await expect(
      runMetricCheck({ metric: { name: 'dd', query: 'x', thresholdRange: { max: 1 } }, canary, provider }),
    ).resolves.toMatchObject({
      ok: false,
      code: 'EUNAUTHORIZED',
      message: 'metric dd query failed: datadog rejected the credentials (HTTP 401): Unauthorized',
    });
  });

  it('a server that never answers is ETIMEOUT', async () => {
    server.handle(() => 'hang');
    const provider = createProvider(config({ timeoutMs: 150 }), { now });
    expect((await rejection(provider.runQuery('x'))).code).toBe('ETIMEOUT');
    await expect(
      runMetricCheck({ metric: { name: 'dd', query: 'x' }, canary, provider }),
    ).resolves.toMatchObject({
      ok: false,
      code: 'ETIMEOUT',
      message: 'metric dd query failed: datadog did not answer within 150ms',
    });
  });

  it('malformed JSON is EMALFORMED', async () => {
    server.handle((_req, res) => text(res, 200, '<html>gateway</html>', 'text/html'));
    const provider = createProvider(config(), { now });
    expect((await rejection(provider.runQuery('x'))).code).toBe('EMALFORMED');
    await expect(
      runMetricCheck({ metric: { name: 'dd', query: 'x' }, canary, provider }),
    ).resolves.toMatchObject({
      ok: false,
      code: 'EMALFORMED',
    });
  });

  it('no series or only null points is ENOVALUES', async () => {
    server.handle((_req, res) => json(res, 200, { status: 'ok', series: [] }));
    const provider = createProvider(config(), { now });
    expect((await rejection(provider.runQuery('x'))).code).toBe('ENOVALUES');
    await expect(
      runMetricCheck({ metric: { name: 'dd', query: 'x' }, canary, provider }),
    ).resolves.toMatchObject({
      ok: false,
      message: 'no values found for metric dd probably podinfo.test is not receiving traffic',
    });
    server.handle((_req, res) => json(res, 200, series([[NOW_MS, null]])));
    expect((await rejection(provider.runQuery('x'))).code).toBe('ENOVALUES');
  });

  it('a query error is EHTTP', async () => {
    server.handle((_req, res) =>
      json(res, 400, { errors: ['Error parsing query: unable to parse sum:: ...'] }),
    );
    const err = await rejection(createProvider(config(), { now }).runQuery('sum::'));
    expect(err.code).toBe('EHTTP');
    expect(err.message).toBe('datadog answered HTTP 400: Error parsing query: unable to parse sum:: ...');
    server.handle((_req, res) => json(res, 200, { status: 'error', error: 'Rate limit of 300 requests' }));
    expect((await rejection(createProvider(config(), { now }).runQuery('x'))).message).toBe(
      'datadog query error: Rate limit of 300 requests',
    );
  });

  it('rejects configs without both keys or with a bad interval', () => {
    expect(() => createProvider(config({ credentials: { datadog_api_key: 'a' } }), { now })).toThrow(
      /datadog_application_key/,
    );
    expect(() => createProvider(config(), { now, interval: '1min' })).toThrow(/invalid metric interval/);
  });
});
