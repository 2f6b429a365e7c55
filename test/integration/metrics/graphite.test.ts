import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runMetricCheck } from '../../../src/checks/metrics/evaluate.ts';
import { createProvider, type ProviderConfig } from '../../../src/checks/metrics/provider.ts';
import { json, rejection, startFakeServer, text, type FakeServer } from './fake-server.ts';

const now = () => Date.parse('2025-01-01T00:00:00Z');
const canary = { name: 'podinfo', namespace: 'test', target: 'podinfo' };

function render(target: string, datapoints: [number | null, number][]) {
  return [{ target, tags: { name: target }, datapoints }];
}

describe('graphite provider against a fake Graphite render API', () => {
  let server: FakeServer;
  const config = (extra: Partial<ProviderConfig> = {}): ProviderConfig => ({
    type: 'graphite',
    address: server.url,
    timeoutMs: 2_000,
    ...extra,
  });

  beforeAll(async () => {
    server = await startFakeServer((_req, res) => json(res, 200, render('x', [[1, 1]])));
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.handle((_req, res) => json(res, 200, render('x', [[1, 1]])));
  });

  it('GETs /render with target, format=json and from, and takes the last non-null datapoint', async () => {
    server.handle((_req, res) =>
      json(
        res,
        200,
        render('stats.app.ok', [
          [97, 1700000000],
          [98.5, 1700000060],
          [null, 1700000120],
        ]),
      ),
    );
    const provider = createProvider(config({ credentials: { username: 'graphite', password: 's3cret' } }), {
      now,
      interval: '5m',
    });
    await expect(provider.runQuery('asPercent(stats.app.ok, stats.app.all)')).resolves.toBe(98.5);
    const [req] = server.requests;
    expect(req.method).toBe('GET');
    expect(req.url.pathname).toBe('/render');
    expect(req.url.searchParams.get('target')).toBe('asPercent(stats.app.ok, stats.app.all)');
    expect(req.url.searchParams.get('format')).toBe('json');
    expect(req.url.searchParams.get('from')).toBe('-300s');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('graphite:s3cret').toString('base64')}`);
  });

  it('accepts Flagger-style "target=…" queries and evaluates them', async () => {
    server.handle((_req, res) => json(res, 200, render('rate', [[80, 1700000000]])));
    const result = await runMetricCheck({
      metric: {
        name: 'success rate',
        templateRef: { name: 'g' },
        interval: '1m',
        thresholdRange: { min: 90 },
      },
      canary,
      templateQuery: "target=summarize(\n  stats.{{target}}.ok,\n  '{{interval}}',\n  'avg'\n)&from=-10min",
      provider: (interval) => createProvider(config(), { now, interval }),
    });
    expect(result).toMatchObject({ ok: false, value: 80, message: 'metric success rate 80.00 < 90' });
    const [req] = server.requests;
    expect(req.url.searchParams.get('target')).toBe("summarize( stats.podinfo.ok, '1m', 'avg' )");
    expect(req.url.searchParams.get('from')).toBe('-10min');
    expect(req.url.searchParams.get('format')).toBe('json');
  });

  it('isOnline treats an empty answer as online', async () => {
    server.handle((_req, res) => json(res, 200, []));
    await expect(createProvider(config(), { now }).isOnline()).resolves.toBeUndefined();
    expect(server.requests[0].url.searchParams.get('target')).toBe('test');
    server.handle((_req, res) => text(res, 500, 'boom'));
    expect((await rejection(createProvider(config(), { now }).isOnline())).code).toBe('EHTTP');
  });

  it('401 is EUNAUTHORIZED and a failed check', async () => {
    server.handle((_req, res) => text(res, 401, 'Authentication required'));
    const provider = createProvider(config(), { now });
    const err = await rejection(provider.runQuery('x'));
    expect(err.code).toBe('EUNAUTHORIZED');
    expect(err.message).toBe('graphite rejected the credentials (HTTP 401): Authentication required');
    await expect(
      runMetricCheck({ metric: { name: 'g', query: 'x' }, canary, provider }),
    ).resolves.toMatchObject({
      ok: false,
      code: 'EUNAUTHORIZED',
    });
  });

  it('a server that never answers is ETIMEOUT', async () => {
    server.handle(() => 'hang');
    const provider = createProvider(config({ timeoutMs: 150 }), { now });
    expect((await rejection(provider.runQuery('x'))).code).toBe('ETIMEOUT');
    await expect(
      runMetricCheck({ metric: { name: 'g', query: 'x' }, canary, provider }),
    ).resolves.toMatchObject({
      ok: false,
      code: 'ETIMEOUT',
      message: 'metric g query failed: graphite did not answer within 150ms',
    });
  });

  it('malformed JSON is EMALFORMED', async () => {
    server.handle((_req, res) => text(res, 200, '[{"target": "x", "datapoints": [[1, ', 'application/json'));
    const provider = createProvider(config(), { now });
    expect((await rejection(provider.runQuery('x'))).code).toBe('EMALFORMED');
    await expect(
      runMetricCheck({ metric: { name: 'g', query: 'x' }, canary, provider }),
    ).resolves.toMatchObject({
      ok: false,
      code: 'EMALFORMED',
    });
  });

  it('no series or only nulls is ENOVALUES', async () => {
    server.handle((_req, res) => json(res, 200, []));
    const provider = createProvider(config(), { now });
    expect((await rejection(provider.runQuery('x'))).code).toBe('ENOVALUES');
    server.handle((_req, res) =>
      json(
        res,
        200,
        render('x', [
          [null, 1],
          [null, 2],
        ]),
      ),
    );
    expect((await rejection(provider.runQuery('x'))).code).toBe('ENOVALUES');
    await expect(
      runMetricCheck({ metric: { name: 'g', query: 'x' }, canary, provider }),
    ).resolves.toMatchObject({
      ok: false,
      message: 'no values found for metric g probably podinfo.test is not receiving traffic',
    });
  });
});
