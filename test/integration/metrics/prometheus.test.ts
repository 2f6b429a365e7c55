import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runMetricCheck } from '../../../src/checks/metrics/evaluate.ts';
import {
  MetricQueryError,
  createProvider,
  type ProviderConfig,
} from '../../../src/checks/metrics/provider.ts';
import { deadUrl, json, rejection, startFakeServer, text, type FakeServer } from './fake-server.ts';

const now = () => Date.parse('2025-01-01T00:00:00Z');
const canary = { name: 'podinfo', namespace: 'test', target: 'podinfo', ingress: 'podinfo' };

function vector(value: string) {
  return {
    status: 'success',
    data: { resultType: 'vector', result: [{ metric: {}, value: [1735689600, value] }] },
  };
}

describe('prometheus provider against a fake Prometheus HTTP API', () => {
  let server: FakeServer;
  const config = (extra: Partial<ProviderConfig> = {}): ProviderConfig => ({
    type: 'prometheus',
    address: server.url,
    timeoutMs: 2_000,
    ...extra,
  });

  beforeAll(async () => {
    server = await startFakeServer((_req, res) => json(res, 200, vector('1')));
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.handle((_req, res) => json(res, 200, vector('1')));
  });

  it('runs an instant query with a bearer token and reads the vector', async () => {
    server.handle((_req, res) => json(res, 200, vector('99.25')));
    const provider = createProvider(config({ credentials: { token: 'secret-token\n' } }), { now });
    await expect(provider.runQuery('sum(\n  rate(x[1m])\n)')).resolves.toBe(99.25);
    const [req] = server.requests;
    expect(req.method).toBe('GET');
    expect(req.url.pathname).toBe('/api/v1/query');
    expect(req.url.searchParams.get('query')).toBe('sum( rate(x[1m]) )');
    expect(req.headers.authorization).toBe('Bearer secret-token');
  });

  it('uses basic auth, extra headers and the address path prefix', async () => {
    const provider = createProvider(
      config({
        address: `${server.url}/prometheus/`,
        credentials: { username: 'admin', password: 'p@ss' },
        headers: { 'X-Scope-OrgID': 'tenant-1' },
      }),
      { now },
    );
    await provider.runQuery('up');
    const [req] = server.requests;
    expect(req.url.pathname).toBe('/prometheus/api/v1/query');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('admin:p@ss').toString('base64')}`);
    expect(req.headers['x-scope-orgid']).toBe('tenant-1');
  });

  it('reads scalar results', async () => {
    server.handle((_req, res) =>
      json(res, 200, { status: 'success', data: { resultType: 'scalar', result: [1, '42'] } }),
    );
    await expect(createProvider(config(), { now }).runQuery('scalar(42)')).resolves.toBe(42);
  });

  it('checks the built-in success rate end to end', async () => {
    server.handle((_req, res) => json(res, 200, vector('20.4811')));
    const result = await runMetricCheck({
      metric: { name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } },
      canary,
      provider: createProvider(config(), { now }),
    });
    expect(result).toMatchObject({ ok: false, value: 20.4811, message: 'success rate 20.48% < 99%' });
    expect(server.requests[0].url.searchParams.get('query')).toBe(
      'sum(rate(nginx_ingress_controller_requests{namespace="test",ingress="podinfo",canary!="",status!~"5.*"}[1m])) / ' +
        'sum(rate(nginx_ingress_controller_requests{namespace="test",ingress="podinfo",canary!=""}[1m])) * 100',
    );
  });

  it('isOnline runs vector(1)', async () => {
    await expect(createProvider(config(), { now }).isOnline()).resolves.toBeUndefined();
    expect(server.requests[0].url.searchParams.get('query')).toBe('vector(1)');
    server.handle((_req, res) => json(res, 200, vector('0')));
    expect((await rejection(createProvider(config(), { now }).isOnline())).code).toBe('EMALFORMED');
  });

  it('401 is EUNAUTHORIZED and a failed check', async () => {
    server.handle((_req, res) => text(res, 401, 'Unauthorized'));
    const provider = createProvider(config({ credentials: { token: 'wrong' } }), { now });
    const err = await rejection(provider.runQuery('up'));
    expect(err).toBeInstanceOf(MetricQueryError);
    expect(err.code).toBe('EUNAUTHORIZED');
    expect(err.message).toBe('prometheus rejected the credentials (HTTP 401): Unauthorized');
    await expect(
      runMetricCheck({
        metric: { name: 'request-duration', thresholdRange: { max: 500 } },
        canary,
        provider,
      }),
    ).resolves.toMatchObject({
      ok: false,
      code: 'EUNAUTHORIZED',
      message:
        'metric request-duration query failed: prometheus rejected the credentials (HTTP 401): Unauthorized',
    });
  });

  it('a server that never answers is ETIMEOUT', async () => {
    server.handle(() => 'hang');
    const provider = createProvider(config({ timeoutMs: 150 }), { now });
    const started = Date.now();
    const err = await rejection(provider.runQuery('up'));
    expect(err.code).toBe('ETIMEOUT');
    expect(err.message).toBe('prometheus did not answer within 150ms');
    expect(Date.now() - started).toBeLessThan(2_000);
    await expect(
      runMetricCheck({ metric: { name: 'request-duration' }, canary, provider }),
    ).resolves.toMatchObject({
      ok: false,
      code: 'ETIMEOUT',
    });
  });

  it('an aborted query is ETIMEOUT', async () => {
    server.handle(() => 'hang');
    const controller = new AbortController();
    const pending = createProvider(config(), { now }).runQuery('up', controller.signal);
    setTimeout(() => controller.abort(), 50);
    const err = await rejection(pending);
    expect(err.code).toBe('ETIMEOUT');
    expect(err.message).toBe('prometheus query was aborted');
  });

  it('malformed JSON is EMALFORMED', async () => {
    server.handle((_req, res) => text(res, 200, '{"status":"success","data":', 'application/json'));
    const provider = createProvider(config(), { now });
    const err = await rejection(provider.runQuery('up'));
    expect(err.code).toBe('EMALFORMED');
    expect(err.message).toMatch(/^prometheus returned a malformed response: /);
    await expect(
      runMetricCheck({ metric: { name: 'request-duration' }, canary, provider }),
    ).resolves.toMatchObject({
      ok: false,
      code: 'EMALFORMED',
    });
  });

  it('an empty vector and NaN are ENOVALUES ("not receiving traffic")', async () => {
    server.handle((_req, res) =>
      json(res, 200, { status: 'success', data: { resultType: 'vector', result: [] } }),
    );
    const provider = createProvider(config(), { now });
    expect((await rejection(provider.runQuery('up'))).code).toBe('ENOVALUES');
    await expect(
      runMetricCheck({
        metric: { name: 'request-success-rate', thresholdRange: { min: 99 } },
        canary,
        provider,
      }),
    ).resolves.toMatchObject({
      ok: false,
      code: 'ENOVALUES',
      message:
        'no values found for nginx metric request-success-rate probably podinfo.test is not receiving traffic',
    });
    server.handle((_req, res) => json(res, 200, vector('NaN')));
    expect((await rejection(provider.runQuery('up'))).code).toBe('ENOVALUES');
  });

  it('a query error is EHTTP with the server reason', async () => {
    server.handle((_req, res) =>
      json(res, 400, {
        status: 'error',
        errorType: 'bad_data',
        error: '1:5: parse error: unexpected end of input',
      }),
    );
    const err = await rejection(createProvider(config(), { now }).runQuery('sum('));
    expect(err.code).toBe('EHTTP');
    expect(err.message).toBe('prometheus answered HTTP 400: 1:5: parse error: unexpected end of input');
  });

  it('a closed port is EUNREACHABLE', async () => {
    const provider = createProvider(config({ address: await deadUrl() }), { now });
    const err = await rejection(provider.runQuery('up'));
    expect(err.code).toBe('EUNREACHABLE');
    expect(err.message).toMatch(/^prometheus is unreachable: .*ECONNREFUSED/);
    await expect(
      runMetricCheck({ metric: { name: 'request-duration' }, canary, provider }),
    ).resolves.toMatchObject({
      ok: false,
      code: 'EUNREACHABLE',
    });
  });

  it('rejects configs that cannot work', () => {
    expect(() => createProvider(config({ address: 'not a url' }), { now })).toThrow(/not a valid URL/);
    expect(() => createProvider(config({ credentials: { username: 'u' } }), { now })).toThrow(/password/);
  });
});
