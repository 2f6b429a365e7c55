import {
  basicAuth,
  checkAddress,
  expectOk,
  isRecord,
  joinUrl,
  jsonField,
  malformed,
  noValues,
  parseJson,
  queryError,
  send,
  settingsOf,
  toNumber,
  type HttpSettings,
} from './http.ts';
import type { MetricProvider, ProviderConfig, SampleRange } from './provider.ts';

export const PROMETHEUS_ONLINE_QUERY = 'vector(1)';

/** Collapses whitespace so multi-line templates become one-line PromQL. */
export function trimPromQL(query: string): string {
  return query.replace(/\s+/g, ' ').trim();
}

function sample(settings: HttpSettings, pair: unknown): number {
  if (!Array.isArray(pair) || pair.length !== 2)
    throw malformed(settings, 'a sample is not [timestamp, "value"]');
  const value = toNumber(pair[1]);
  if (value === undefined)
    throw malformed(settings, `sample value ${JSON.stringify(pair[1])} is not a number`);
  if (Number.isNaN(value)) throw noValues('the query returned NaN');
  return value;
}

/**
 * Reads an instant-query answer (`/api/v1/query`): the first sample of a vector, a scalar,
 * or the last sample of the first series of a matrix.
 */
export function prometheusValue(settings: HttpSettings, body: unknown): number {
  if (!isRecord(body)) throw malformed(settings, 'the answer is not a JSON object');
  if (body.status === 'error') {
    throw queryError(settings, `${String(body.errorType ?? '')} ${String(body.error ?? '')}`);
  }
  const data = body.data;
  if (!isRecord(data) || typeof data.resultType !== 'string') throw malformed(settings, 'no data.resultType');
  const result = data.result;
  switch (data.resultType) {
    case 'vector': {
      if (!Array.isArray(result)) throw malformed(settings, 'data.result is not an array');
      if (result.length === 0) throw noValues();
      const first: unknown = result[0];
      if (!isRecord(first)) throw malformed(settings, 'a vector element is not an object');
      return sample(settings, first.value);
    }
    case 'scalar':
      return sample(settings, result);
    case 'matrix': {
      if (!Array.isArray(result)) throw malformed(settings, 'data.result is not an array');
      if (result.length === 0) throw noValues();
      const first: unknown = result[0];
      if (!isRecord(first) || !Array.isArray(first.values))
        throw malformed(settings, 'a series has no values');
      if (first.values.length === 0) throw noValues();
      return sample(settings, first.values[first.values.length - 1]);
    }
    default:
      throw malformed(settings, `result type "${data.resultType}" is not a number`);
  }
}

/**
 * Reads a range-query answer (`/api/v1/query_range`): every value of every series, in order, as samples.
 * NaN and infinite values are kept (the judge drops and counts them); no series at all is an empty list.
 */
export function prometheusSamples(settings: HttpSettings, body: unknown): number[] {
  if (!isRecord(body)) throw malformed(settings, 'the answer is not a JSON object');
  if (body.status === 'error') {
    throw queryError(settings, `${String(body.errorType ?? '')} ${String(body.error ?? '')}`);
  }
  const data = body.data;
  if (!isRecord(data) || data.resultType !== 'matrix' || !Array.isArray(data.result))
    throw malformed(settings, 'a range query did not return a matrix');
  const samples: number[] = [];
  for (const series of data.result as unknown[]) {
    if (!isRecord(series) || !Array.isArray(series.values))
      throw malformed(settings, 'a series has no values');
    for (const pair of series.values as unknown[]) {
      if (!Array.isArray(pair) || pair.length !== 2)
        throw malformed(settings, 'a sample is not [timestamp, "value"]');
      const value = toNumber(pair[1]);
      if (value === undefined)
        throw malformed(settings, `sample value ${JSON.stringify(pair[1])} is not a number`);
      samples.push(value);
    }
  }
  return samples;
}

/**
 * Prometheus HTTP API: GET <address>/api/v1/query?query=…
 * Credentials: `token` (bearer) or `username` + `password` (basic auth).
 */
export function prometheusProvider(config: ProviderConfig): MetricProvider {
  checkAddress(config.type, config.address);
  const creds = config.credentials ?? {};
  const auth: Record<string, string> = {};
  if (creds.token) auth.authorization = `Bearer ${creds.token.trim()}`;
  else if (creds.username !== undefined && creds.password !== undefined) {
    auth.authorization = basicAuth(creds.username, creds.password);
  } else if (creds.username !== undefined || creds.password !== undefined) {
    throw new Error('prometheus credentials need both username and password (or a token)');
  }
  const settings = settingsOf('prometheus', config, auth);
  const url = joinUrl(config.address, '/api/v1/query');
  const rangeUrl = joinUrl(config.address, '/api/v1/query_range');

  async function runQuery(query: string, signal?: AbortSignal): Promise<number> {
    const res = await send(settings, { url, searchParams: { query: trimPromQL(query) }, signal });
    expectOk(settings, res, (b) => jsonField(b, 'error'));
    return prometheusValue(settings, parseJson(settings, res.body));
  }

  return {
    runQuery,
    async runRangeQuery(query: string, range: SampleRange, signal?: AbortSignal): Promise<number[]> {
      const searchParams = {
        query: trimPromQL(query),
        start: (range.startMs / 1000).toFixed(3),
        end: (range.endMs / 1000).toFixed(3),
        step: String(range.stepSeconds),
      };
      const res = await send(settings, { url: rangeUrl, searchParams, signal });
      expectOk(settings, res, (b) => jsonField(b, 'error'));
      return prometheusSamples(settings, parseJson(settings, res.body));
    },
    async isOnline(signal?: AbortSignal) {
      const value = await runQuery(PROMETHEUS_ONLINE_QUERY, signal);
      if (value !== 1) {
        throw malformed(settings, `${PROMETHEUS_ONLINE_QUERY} returned ${value}, expected 1`);
      }
    },
  };
}
