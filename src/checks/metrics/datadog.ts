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
  send,
  settingsOf,
  toNumber,
  type HttpSettings,
} from './http.ts';
import { DEFAULT_METRIC_INTERVAL, intervalSeconds } from './interval.ts';
import type { MetricProvider, ProviderConfig, ProviderOptions } from './provider.ts';

export const DATADOG_DEFAULT_ADDRESS = 'https://api.datadoghq.com';
export const DATADOG_API_KEY = 'datadog_api_key';
export const DATADOG_APPLICATION_KEY = 'datadog_application_key';
/** The query window is this many metric intervals back from now (as Flagger does). */
export const DATADOG_WINDOW_INTERVALS = 10;

/** The last non-null point of the first series of a `/api/v1/query` answer. */
export function datadogValue(settings: HttpSettings, body: unknown): number {
  if (!isRecord(body)) throw malformed(settings, 'the answer is not a JSON object');
  if (body.status === 'error') {
    throw queryError(settings, String(body.error ?? 'unknown error'));
  }
  if (!Array.isArray(body.series)) throw malformed(settings, 'no series array');
  if (body.series.length === 0) throw noValues('the query returned no series');
  const first: unknown = body.series[0];
  if (!isRecord(first) || !Array.isArray(first.pointlist))
    throw malformed(settings, 'the first series has no pointlist');
  for (let i = first.pointlist.length - 1; i >= 0; i--) {
    const point: unknown = first.pointlist[i];
    if (!Array.isArray(point) || point.length < 2)
      throw malformed(settings, 'a point is not [timestamp, value]');
    if (point[1] === null) continue;
    const value = toNumber(point[1]);
    if (value === undefined)
      throw malformed(settings, `point value ${JSON.stringify(point[1])} is not a number`);
    if (Number.isNaN(value)) throw noValues('the last point is NaN');
    return value;
  }
  throw noValues('the first series has no points');
}

/**
 * Datadog metrics API: GET <address>/api/v1/query?from=&to=&query= with the
 * DD-API-KEY / DD-APPLICATION-KEY headers; the window is 10 intervals back from now.
 */
export function datadogProvider(config: ProviderConfig, options: ProviderOptions): MetricProvider {
  const address = config.address || DATADOG_DEFAULT_ADDRESS;
  checkAddress(config.type, address);
  const creds = config.credentials ?? {};
  for (const key of [DATADOG_API_KEY, DATADOG_APPLICATION_KEY]) {
    if (!creds[key]) throw new Error(`datadog credentials do not contain ${key}`);
  }
  const windowSeconds =
    DATADOG_WINDOW_INTERVALS * intervalSeconds(options.interval || DEFAULT_METRIC_INTERVAL);
  const settings = settingsOf('datadog', config, {
    'DD-API-KEY': creds[DATADOG_API_KEY].trim(),
    'DD-APPLICATION-KEY': creds[DATADOG_APPLICATION_KEY].trim(),
  });
  const queryUrl = joinUrl(address, '/api/v1/query');
  const validateUrl = joinUrl(address, '/api/v1/validate');
  const errors = (b: string) => jsonField(b, 'errors') ?? jsonField(b, 'error');

  return {
    async runQuery(query, signal) {
      const to = Math.floor(options.now() / 1000);
      const res = await send(settings, {
        url: queryUrl,
        searchParams: { from: String(to - windowSeconds), to: String(to), query: query.trim() },
        signal,
      });
      expectOk(settings, res, errors);
      return datadogValue(settings, parseJson(settings, res.body));
    },
    async isOnline(signal) {
      const res = await send(settings, { url: validateUrl, signal });
      expectOk(settings, res, errors);
      const body = parseJson(settings, res.body);
      if (isRecord(body) && body.valid === false) {
        throw new MetricQueryError(
          'EUNAUTHORIZED',
          'datadog rejected the credentials: the API key is not valid',
        );
      }
    },
  };
}
