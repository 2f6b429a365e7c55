import { MetricQueryError } from './errors.ts';
import {
  checkAddress,
  expectOk,
  isRecord,
  joinUrl,
  jsonField,
  malformed,
  noValues,
  parseJson,
  queryError,
  remoteText,
  send,
  settingsOf,
  toNumber,
  type HttpSettings,
} from './http.ts';
import { DEFAULT_METRIC_INTERVAL, intervalSeconds } from './interval.ts';
import type { MetricProvider, ProviderConfig, ProviderOptions } from './provider.ts';

export const NEWRELIC_INSIGHTS_ADDRESS = 'https://insights-api.newrelic.com';
export const NEWRELIC_NERDGRAPH_ADDRESS = 'https://api.newrelic.com/graphql';
export const NEWRELIC_ACCOUNT_ID = 'newrelic_account_id';
export const NEWRELIC_QUERY_KEY = 'newrelic_query_key';
export const NEWRELIC_API_KEY = 'newrelic_api_key';

/** The first numeric value of the first result row; null → no values. */
export function firstNumeric(settings: HttpSettings, results: unknown): number {
  if (!Array.isArray(results)) throw malformed(settings, 'no results array');
  if (results.length === 0) throw noValues('the query returned no results');
  const row: unknown = results[0];
  if (!isRecord(row)) throw malformed(settings, 'the first result is not an object');
  let sawNull = false;
  for (const v of Object.values(row)) {
    if (v === null) sawNull = true;
    if (typeof v !== 'number') continue;
    if (Number.isNaN(v)) throw noValues('the result is NaN');
    return v;
  }
  for (const v of Object.values(row)) {
    const n = typeof v === 'string' ? toNumber(v) : undefined;
    if (n !== undefined && !Number.isNaN(n)) return n;
  }
  if (sawNull || Object.keys(row).length === 0) throw noValues('the result is null');
  throw malformed(settings, `the first result has no numeric value: ${JSON.stringify(row).slice(0, 200)}`);
}

/** Finds the first `results` array anywhere in a NerdGraph `data` object. */
export function findResults(data: unknown): unknown[] | undefined {
  if (!isRecord(data)) return undefined;
  if (Array.isArray(data.results)) return data.results;
  for (const v of Object.values(data)) {
    const found = findResults(v);
    if (found) return found;
  }
  return undefined;
}

function graphqlErrors(settings: HttpSettings, body: Record<string, unknown>): void {
  if (!Array.isArray(body.errors) || body.errors.length === 0) return;
  const first: unknown = body.errors[0];
  const message =
    isRecord(first) && typeof first.message === 'string' ? first.message : JSON.stringify(first);
  const ext = isRecord(first) && isRecord(first.extensions) ? first.extensions : {};
  const cls = String(ext.errorClass ?? ext.code ?? '').toUpperCase();
  if (cls === 'UNAUTHORIZED' || cls === 'FORBIDDEN' || cls === 'UNAUTHENTICATED') {
    throw new MetricQueryError(
      'EUNAUTHORIZED',
      `${settings.provider} rejected the credentials: ${remoteText(settings, message)}`,
    );
  }
  throw queryError(settings, message);
}

/**
 * New Relic, as Flagger does: NRQL with `SINCE <interval> seconds ago` appended.
 * With `newrelic_api_key` it uses NerdGraph (POST GraphQL, `API-Key` header); otherwise
 * the Insights query API (GET /v1/accounts/<id>/query?nrql=…, `X-Query-Key` header).
 * Both need `newrelic_account_id`.
 */
export function newrelicProvider(config: ProviderConfig, options: ProviderOptions): MetricProvider {
  const creds = config.credentials ?? {};
  const accountId = (creds[NEWRELIC_ACCOUNT_ID] ?? '').trim();
  if (!accountId) throw new Error(`newrelic credentials do not contain ${NEWRELIC_ACCOUNT_ID}`);
  const since = intervalSeconds(options.interval || DEFAULT_METRIC_INTERVAL);
  const nrql = (query: string) => `${query.trim()} SINCE ${since} seconds ago`;

  if (creds[NEWRELIC_API_KEY]) {
    if (!/^\d+$/.test(accountId)) throw new Error(`newrelic account id "${accountId}" is not a number`);
    const url = new URL(config.address || NEWRELIC_NERDGRAPH_ADDRESS);
    checkAddress(config.type, url.toString());
    const settings = settingsOf('newrelic', config, {
      'API-Key': creds[NEWRELIC_API_KEY].trim(),
      'content-type': 'application/json',
    });
    const post = async (payload: unknown, signal?: AbortSignal) => {
      const res = await send(settings, { method: 'POST', url, body: JSON.stringify(payload), signal });
      expectOk(settings, res, (b) => jsonField(b, 'errors'));
      const body = parseJson(settings, res.body);
      if (!isRecord(body)) throw malformed(settings, 'the answer is not a JSON object');
      graphqlErrors(settings, body);
      return body;
    };
    const gql = `query ($query: Nrql!) { actor { account(id: ${accountId}) { nrql(query: $query) { results } } } }`;
    return {
      async runQuery(query, signal) {
        const body = await post({ query: gql, variables: { query: nrql(query) } }, signal);
        const results = findResults(body.data);
        if (!results) throw malformed(settings, 'no results in data');
        return firstNumeric(settings, results);
      },
      async isOnline(signal) {
        await post({ query: '{ actor { user { name } } }' }, signal);
      },
    };
  }

  const queryKey = (creds[NEWRELIC_QUERY_KEY] ?? '').trim();
  if (!queryKey)
    throw new Error(`newrelic credentials do not contain ${NEWRELIC_QUERY_KEY} (or ${NEWRELIC_API_KEY})`);
  const address = config.address || NEWRELIC_INSIGHTS_ADDRESS;
  checkAddress(config.type, address);
  const settings = settingsOf('newrelic', config, { 'X-Query-Key': queryKey });
  const url = joinUrl(address, `/v1/accounts/${encodeURIComponent(accountId)}/query`);
  const get = async (query: string, signal?: AbortSignal) => {
    const res = await send(settings, { url, searchParams: { nrql: nrql(query) }, signal });
    expectOk(settings, res, (b) => jsonField(b, 'error'));
    const body = parseJson(settings, res.body);
    if (!isRecord(body)) throw malformed(settings, 'the answer is not a JSON object');
    return body;
  };
  return {
    async runQuery(query, signal) {
      const body = await get(query, signal);
      return firstNumeric(settings, body.results);
    },
    async isOnline(signal) {
      await get('SELECT count(*) FROM Metric', signal);
    },
  };
}
