import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runMetricCheck } from '../../../src/checks/metrics/evaluate.ts';
import { createProvider, type ProviderConfig } from '../../../src/checks/metrics/provider.ts';
import { json, rejection, startFakeServer, text, type FakeServer } from './fake-server.ts';

const now = () => Date.parse('2025-01-01T00:00:00Z');
const canary = { name: 'podinfo', namespace: 'test', target: 'podinfo' };

/** An annotated Flux CSV answer with one table, as InfluxDB v2 writes it. */
function csv(values: string[]): string {
  const rows = values.map(
    (v) =>
      `,_result,0,2025-01-01T00:00:00Z,2025-01-01T01:00:00Z,2025-01-01T00:30:00Z,${v},count,istio_requests_total`,
  );
  return [
    '#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string',
    '#group,false,false,true,true,false,false,true,true',
    '#default,_result,,,,,,,',
    ',result,table,_start,_stop,_time,_value,_field,_measurement',
    ...rows,
    '',
    '',
  ].join('\r\n');
}

describe('influxdb provider against a fake InfluxDB v2 query API', () => {
  let server: FakeServer;
  const config = (extra: Partial<ProviderConfig> = {}): ProviderConfig => ({
    type: 'influxdb',
    address: server.url,
    credentials: { token: 'influx-token', org: 'my-org' },
    timeoutMs: 2_000,
    ...extra,
  });

  beforeAll(async () => {
    server = await startFakeServer((_req, res) => text(res, 200, csv(['1']), 'text/csv'));
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.handle((_req, res) => text(res, 200, csv(['1']), 'text/csv'));
  });

  it('POSTs the Flux text to /api/v2/query?org= with a Token header and reads the first _value', async () => {
    server.handle((_req, res) => text(res, 200, csv(['17', '23']), 'text/csv; charset=utf-8'));
    const flux = 'from(bucket: "default")\n  |> range(start: -2h)\n  |> count()';
    const provider = createProvider(config(), { now });
    await expect(provider.runQuery(flux)).resolves.toBe(17);
    const [req] = server.requests;
    expect(req.method).toBe('POST');
    expect(req.url.pathname).toBe('/api/v2/query');
    expect(req.url.searchParams.get('org')).toBe('my-org');
    expect(req.headers.authorization).toBe('Token influx-token');
    expect(req.headers['content-type']).toBe('application/vnd.flux');
    expect(req.headers.accept).toBe('application/csv');
    expect(req.body).toBe(flux);
  });

  it('evaluates a rendered Flux template end to end', async () => {
    server.handle((_req, res) => text(res, 200, csv(['3']), 'text/csv'));
    const result = await runMetricCheck({
      metric: { name: 'not-found', templateRef: { name: 'i' }, thresholdRange: { max: 2 } },
      canary,
      templateQuery: '|> filter(fn: (r) => r["destination_workload"] == "{{ target }}")',
      provider: createProvider(config({ credentials: { token: 't' } }), { now }),
    });
    expect(result).toMatchObject({ ok: false, value: 3, message: 'metric not-found 3.00 > 2' });
    const [req] = server.requests;
    expect(req.body).toBe('|> filter(fn: (r) => r["destination_workload"] == "podinfo")');
    expect(req.url.searchParams.has('org')).toBe(false);
  });

  it('isOnline runs a small Flux query', async () => {
    await expect(createProvider(config(), { now }).isOnline()).resolves.toBeUndefined();
    expect(server.requests[0].body).toBe('buckets() |> limit(n: 1)');
  });

  it('401 is EUNAUTHORIZED and a failed check', async () => {
    server.handle((_req, res) => json(res, 401, { code: 'unauthorized', message: 'unauthorized access' }));
    const provider = createProvider(config(), { now });
    const err = await rejection(provider.runQuery('x'));
    expect(err.code).toBe('EUNAUTHORIZED');
    expect(err.message).toBe('influxdb rejected the credentials (HTTP 401): unauthorized access');
    await expect(
      runMetricCheck({ metric: { name: 'i', query: 'x' }, canary, provider }),
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
      runMetricCheck({ metric: { name: 'i', query: 'x' }, canary, provider }),
    ).resolves.toMatchObject({
      ok: false,
      code: 'ETIMEOUT',
    });
  });

  it('a malformed answer is EMALFORMED', async () => {
    server.handle((_req, res) => json(res, 200, { results: [] }));
    const provider = createProvider(config(), { now });
    expect((await rejection(provider.runQuery('x'))).code).toBe('EMALFORMED');
    server.handle((_req, res) => text(res, 200, csv(['not-a-number']), 'text/csv'));
    expect((await rejection(provider.runQuery('x'))).code).toBe('EMALFORMED');
    await expect(
      runMetricCheck({ metric: { name: 'i', query: 'x' }, canary, provider }),
    ).resolves.toMatchObject({
      ok: false,
      code: 'EMALFORMED',
    });
  });

  it('an empty answer or a null _value is ENOVALUES', async () => {
    server.handle((_req, res) => text(res, 200, '\r\n', 'text/csv'));
    const provider = createProvider(config(), { now });
    expect((await rejection(provider.runQuery('x'))).code).toBe('ENOVALUES');
    server.handle((_req, res) => text(res, 200, csv(['']), 'text/csv'));
    expect((await rejection(provider.runQuery('x'))).code).toBe('ENOVALUES');
    await expect(
      runMetricCheck({ metric: { name: 'i', query: 'x' }, canary, provider }),
    ).resolves.toMatchObject({
      ok: false,
      message: 'no values found for metric i probably podinfo.test is not receiving traffic',
    });
  });

  it('query errors are EHTTP, before or inside the CSV answer', async () => {
    server.handle((_req, res) =>
      json(res, 400, {
        code: 'invalid',
        message: 'compilation failed: error at @1:1-1:4: undefined identifier foo',
      }),
    );
    const provider = createProvider(config(), { now });
    expect((await rejection(provider.runQuery('foo'))).message).toBe(
      'influxdb answered HTTP 400: compilation failed: error at @1:1-1:4: undefined identifier foo',
    );
    server.handle((_req, res) =>
      text(
        res,
        200,
        '#datatype,string,string\r\n#group,true,true\r\n#default,,\r\n,error,reference\r\n,panic: boom,\r\n\r\n',
      ),
    );
    const err = await rejection(provider.runQuery('x'));
    expect(err.code).toBe('EHTTP');
    expect(err.message).toBe('influxdb query error: panic: boom');
  });
});
