import { isMetricQueryError } from './errors.ts';
import {
  basicAuth,
  checkAddress,
  expectOk,
  isRecord,
  joinUrl,
  malformed,
  noValues,
  parseJson,
  send,
  settingsOf,
  toNumber,
  type HttpSettings,
} from './http.ts';
import { parseIntervalMs } from './interval.ts';
import type { MetricProvider, ProviderConfig, ProviderOptions } from './provider.ts';

export const GRAPHITE_ONLINE_QUERY = 'target=test';

/**
 * Render API parameters for a query. A query written as URL parameters ("target=…&from=-5min",
 * Flagger's form) is used as such; anything else is one target expression. `format=json` is
 * forced, and `from` defaults to one interval back.
 */
export function graphiteParams(query: string, fromSeconds?: number): URLSearchParams {
  const text = query.replace(/\s+/g, ' ').trim();
  const params = /^target=/.test(text) ? new URLSearchParams(text) : new URLSearchParams({ target: text });
  params.set('format', 'json');
  if (!params.has('from') && fromSeconds !== undefined) params.set('from', `-${fromSeconds}s`);
  return params;
}

/** The last non-null datapoint of the first series that has one. */
export function graphiteValue(settings: HttpSettings, body: unknown): number {
  if (!Array.isArray(body)) throw malformed(settings, 'the answer is not an array of series');
  for (const series of body as unknown[]) {
    if (!isRecord(series) || !Array.isArray(series.datapoints)) {
      throw malformed(settings, 'a series has no datapoints array');
    }
    for (let i = series.datapoints.length - 1; i >= 0; i--) {
      const point: unknown = series.datapoints[i];
      if (!Array.isArray(point) || point.length !== 2)
        throw malformed(settings, 'a datapoint is not [value, timestamp]');
      if (point[0] === null) continue;
      const value = toNumber(point[0]);
      if (value === undefined)
        throw malformed(settings, `datapoint value ${JSON.stringify(point[0])} is not a number`);
      if (Number.isNaN(value)) continue;
      return value;
    }
  }
  throw noValues(body.length === 0 ? 'the query matched no series' : 'every datapoint is null');
}

/** Graphite render API: GET <address>/render?target=…&format=json&from=…; basic auth from username/password. */
export function graphiteProvider(config: ProviderConfig, options: ProviderOptions): MetricProvider {
  checkAddress(config.type, config.address);
  const creds = config.credentials ?? {};
  const auth: Record<string, string> = {};
  if (creds.username !== undefined && creds.password !== undefined) {
    auth.authorization = basicAuth(creds.username, creds.password);
  } else if (creds.username !== undefined || creds.password !== undefined) {
    throw new Error('graphite credentials need both username and password');
  }
  const settings = settingsOf('graphite', config, auth);
  const url = joinUrl(config.address, '/render');
  const intervalMs = options.interval ? parseIntervalMs(options.interval) : undefined;
  const fromSeconds = intervalMs === undefined ? undefined : Math.max(1, Math.round(intervalMs / 1000));

  async function runQuery(query: string, signal?: AbortSignal): Promise<number> {
    const res = await send(settings, { url, searchParams: graphiteParams(query, fromSeconds), signal });
    expectOk(settings, res);
    return graphiteValue(settings, parseJson(settings, res.body));
  }

  return {
    runQuery,
    async isOnline(signal?: AbortSignal) {
      try {
        await runQuery(GRAPHITE_ONLINE_QUERY, signal);
      } catch (err) {
        if (!isMetricQueryError(err, 'ENOVALUES')) throw err;
      }
    },
  };
}
