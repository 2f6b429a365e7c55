import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runMetricCheck } from '../../../src/checks/metrics/evaluate.ts';
import { createProvider, type ProviderConfig } from '../../../src/checks/metrics/provider.ts';
import { json, rejection, startFakeServer, text, type FakeServer } from './fake-server.ts';

const now = () => Date.parse('2025-01-01T00:00:00Z');
const canary = { name: 'podinfo', namespace: 'ingress-nginx', target: 'podinfo', ingress: 'podinfo' };
const insights = { newrelic_account_id: '1234567', newrelic_query_key: 'query-key' };
const nerdgraph = { newrelic_account_id: '1234567', newrelic_api_key: 'NRAK-key' };

function insightsAnswer(row: Record<string, unknown>) {
  return { results: [row], metadata: { eventTypes: ['Metric'], rawSince: '60 SECONDS AGO' } };
}

function nerdgraphAnswer(row: Record<string, unknown>) {
  return { data: { actor: { account: { nrql: { results: [row] } } } } };
}

describe('newrelic provider (Insights query API) against a fake server', () => {
  let server: FakeServer;
  const config = (extra: Partial<ProviderConfig> = {}): ProviderConfig => ({
    type: 'newrelic',
    address: server.url,
    credentials: insights,
    timeoutMs: 2_000,
    ...extra,
  });

  beforeAll(async () => {
    server = await startFakeServer((_req, res) => json(res, 200, insightsAnswer({ result: 1 })));
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.handle((_req, res) => json(res, 200, insightsAnswer({ result: 1 })));
  });

  it('sends NRQL with SINCE <interval> to /v1/accounts/<id>/query with X-Query-Key', async () => {
    server.handle((_req, res) => json(res, 200, insightsAnswer({ result: 0.42 })));
    const provider = createProvider(config(), { now, interval: '2m' });
    await expect(provider.runQuery('SELECT count(*) FROM Metric\n')).resolves.toBe(0.42);
    const [req] = server.requests;
    expect(req.method).toBe('GET');
    expect(req.url.pathname).toBe('/v1/accounts/1234567/query');
    expect(req.url.searchParams.get('nrql')).toBe('SELECT count(*) FROM Metric SINCE 120 seconds ago');
    expect(req.headers['x-query-key']).toBe('query-key');
  });

  it('takes the first numeric value of the first result and evaluates it', async () => {
    server.handle((_req, res) => json(res, 200, insightsAnswer({ facet: 'podinfo', 'error rate': 12.5 })));
    const result = await runMetricCheck({
      metric: {
        name: 'error rate',
        templateRef: { name: 'newrelic-error-rate' },
        thresholdRange: { max: 5 },
      },
      canary,
      templateQuery:
        "SELECT sum(x) FROM Metric WHERE ingress = '{{ ingress }}' AND namespace = '{{ namespace }}'",
      provider: (interval) => createProvider(config(), { now, interval }),
    });
    expect(result).toMatchObject({ ok: false, value: 12.5, message: 'metric error rate 12.50 > 5' });
    expect(server.requests[0].url.searchParams.get('nrql')).toBe(
      "SELECT sum(x) FROM Metric WHERE ingress = 'podinfo' AND namespace = 'ingress-nginx' SINCE 60 seconds ago",
    );
  });

  it('isOnline runs a query with the key', async () => {
    await expect(createProvider(config(), { now }).isOnline()).resolves.toBeUndefined();
    expect(server.requests[0].headers['x-query-key']).toBe('query-key');
  });

  it('401 is EUNAUTHORIZED and a failed check', async () => {
    server.handle((_req, res) => json(res, 401, { error: 'Invalid query key' }));
    const provider = createProvider(config(), { now });
    const err = await rejection(provider.runQuery('SELECT 1'));
    expect(err.code).toBe('EUNAUTHORIZED');
    expect(err.message).toBe('newrelic rejected the credentials (HTTP 401): Invalid query key');
    await expect(
      runMetricCheck({ metric: { name: 'nr', query: 'SELECT 1' }, canary, provider }),
    ).resolves.toMatchObject({ ok: false, code: 'EUNAUTHORIZED' });
  });

  it('a server that never answers is ETIMEOUT', async () => {
    server.handle(() => 'hang');
    const provider = createProvider(config({ timeoutMs: 150 }), { now });
    expect((await rejection(provider.runQuery('SELECT 1'))).code).toBe('ETIMEOUT');
    await expect(
      runMetricCheck({ metric: { name: 'nr', query: 'SELECT 1' }, canary, provider }),
    ).resolves.toMatchObject({ ok: false, code: 'ETIMEOUT' });
  });

  it('malformed JSON is EMALFORMED', async () => {
    server.handle((_req, res) => text(res, 200, '{"results": [', 'application/json'));
    const provider = createProvider(config(), { now });
    expect((await rejection(provider.runQuery('SELECT 1'))).code).toBe('EMALFORMED');
    await expect(
      runMetricCheck({ metric: { name: 'nr', query: 'SELECT 1' }, canary, provider }),
    ).resolves.toMatchObject({ ok: false, code: 'EMALFORMED' });
  });

  it('no results or a null result is ENOVALUES', async () => {
    server.handle((_req, res) => json(res, 200, { results: [] }));
    const provider = createProvider(config(), { now });
    expect((await rejection(provider.runQuery('SELECT 1'))).code).toBe('ENOVALUES');
    server.handle((_req, res) => json(res, 200, insightsAnswer({ result: null })));
    expect((await rejection(provider.runQuery('SELECT 1'))).code).toBe('ENOVALUES');
    await expect(
      runMetricCheck({ metric: { name: 'nr', query: 'SELECT 1' }, canary, provider }),
    ).resolves.toMatchObject({
      ok: false,
      message: 'no values found for metric nr probably podinfo.ingress-nginx is not receiving traffic',
    });
  });

  it('rejects configs without the account id or a key', () => {
    expect(() => createProvider(config({ credentials: { newrelic_query_key: 'k' } }), { now })).toThrow(
      /newrelic_account_id/,
    );
    expect(() => createProvider(config({ credentials: { newrelic_account_id: '1' } }), { now })).toThrow(
      /newrelic_query_key/,
    );
  });
});

describe('newrelic provider (NerdGraph) against a fake server', () => {
  let server: FakeServer;
  const config = (extra: Partial<ProviderConfig> = {}): ProviderConfig => ({
    type: 'newrelic',
    address: `${server.url}/graphql`,
    credentials: nerdgraph,
    timeoutMs: 2_000,
    ...extra,
  });

  beforeAll(async () => {
    server = await startFakeServer((_req, res) => json(res, 200, nerdgraphAnswer({ count: 1 })));
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.handle((_req, res) => json(res, 200, nerdgraphAnswer({ count: 1 })));
  });

  it('POSTs a GraphQL NRQL query with the API key and reads the first numeric value', async () => {
    server.handle((_req, res) => json(res, 200, nerdgraphAnswer({ 'average.duration': 0.25 })));
    const provider = createProvider(config(), { now, interval: '30s' });
    await expect(provider.runQuery('SELECT average(duration) FROM Transaction')).resolves.toBe(0.25);
    const [req] = server.requests;
    expect(req.method).toBe('POST');
    expect(req.url.pathname).toBe('/graphql');
    expect(req.headers['api-key']).toBe('NRAK-key');
    expect(req.headers['content-type']).toBe('application/json');
    const payload = JSON.parse(req.body) as { query: string; variables: { query: string } };
    expect(payload.query).toContain('account(id: 1234567)');
    expect(payload.query).toContain('nrql(query: $query)');
    expect(payload.variables.query).toBe('SELECT average(duration) FROM Transaction SINCE 30 seconds ago');
  });

  it('GraphQL errors are reported (unauthorized → EUNAUTHORIZED)', async () => {
    server.handle((_req, res) =>
      json(res, 200, {
        data: null,
        errors: [{ message: 'Invalid API key', extensions: { errorClass: 'UNAUTHORIZED' } }],
      }),
    );
    const provider = createProvider(config(), { now });
    const err = await rejection(provider.runQuery('SELECT 1'));
    expect(err.code).toBe('EUNAUTHORIZED');
    expect(err.message).toBe('newrelic rejected the credentials: Invalid API key');
    server.handle((_req, res) => json(res, 200, { data: null, errors: [{ message: 'NRQL Syntax Error' }] }));
    expect((await rejection(provider.runQuery('SELECT'))).message).toBe(
      'newrelic query error: NRQL Syntax Error',
    );
  });

  it('401, timeout, malformed JSON and empty results map to their codes', async () => {
    const provider = createProvider(config({ timeoutMs: 150 }), { now });
    server.handle((_req, res) => json(res, 401, { errors: [{ message: 'Unauthorized' }] }));
    expect((await rejection(provider.runQuery('SELECT 1'))).code).toBe('EUNAUTHORIZED');
    server.handle(() => 'hang');
    expect((await rejection(provider.runQuery('SELECT 1'))).code).toBe('ETIMEOUT');
    server.handle((_req, res) => text(res, 200, 'not json'));
    expect((await rejection(provider.runQuery('SELECT 1'))).code).toBe('EMALFORMED');
    server.handle((_req, res) => json(res, 200, { data: { actor: { account: { nrql: { results: [] } } } } }));
    expect((await rejection(provider.runQuery('SELECT 1'))).code).toBe('ENOVALUES');
    await expect(
      runMetricCheck({ metric: { name: 'nr', query: 'SELECT 1' }, canary, provider }),
    ).resolves.toMatchObject({ ok: false, code: 'ENOVALUES' });
  });

  it('isOnline asks for the current user', async () => {
    server.handle((_req, res) => json(res, 200, { data: { actor: { user: { name: 'ops' } } } }));
    await expect(createProvider(config(), { now }).isOnline()).resolves.toBeUndefined();
    expect(JSON.parse(server.requests[0].body)).toEqual({ query: '{ actor { user { name } } }' });
  });

  it('rejects a non-numeric account id', () => {
    expect(() =>
      createProvider(config({ credentials: { ...nerdgraph, newrelic_account_id: '1) { x }' } }), { now }),
    ).toThrow(/not a number/);
  });
});
