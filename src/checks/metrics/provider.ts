import { datadogProvider } from './datadog.ts';
import { graphiteProvider } from './graphite.ts';
import { influxdbProvider } from './influxdb.ts';
import { newrelicProvider } from './newrelic.ts';
import { prometheusProvider } from './prometheus.ts';

export { DEFAULT_METRIC_INTERVAL } from './interval.ts';
export { METRIC_ERROR_CODES, MetricQueryError, isMetricQueryError, type MetricErrorCode } from './errors.ts';

/** A metric source: runs one query to one number (Flagger's metrics provider interface). */
export interface MetricProvider {
  /** Resolves to the query's value; rejects with MetricQueryError. */
  runQuery(query: string, signal?: AbortSignal): Promise<number>;
  /** Resolves when the provider answers and accepts the credentials; rejects with MetricQueryError. */
  isOnline(signal?: AbortSignal): Promise<void>;
  /** The query's values over a time range (compared metrics); only providers that can sample have it. */
  runRangeQuery?(query: string, range: SampleRange, signal?: AbortSignal): Promise<number[]>;
}

export interface SampleRange {
  startMs: number;
  endMs: number;
  stepSeconds: number;
}

export const PROVIDER_TYPES = ['prometheus', 'datadog', 'newrelic', 'graphite', 'influxdb'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

export interface ProviderConfig {
  type: ProviderType;
  /** API base URL; may be empty for datadog and newrelic (their public endpoints are used). */
  address: string;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  insecureSkipVerify?: boolean;
  /** The referenced Secret's data, already decoded. */
  credentials?: Record<string, string>;
  /** Per-request timeout (the whole exchange, body included); 5s when unset. */
  timeoutMs?: number;
  /** Largest answer body read; 1 MiB when unset. A larger answer fails the query (EMALFORMED). */
  maxBodyBytes?: number;
}

export interface ProviderOptions {
  /** Wall clock in epoch milliseconds (datadog's from/to). */
  now: () => number;
  /** The metric's interval ("1m"): the look-back window of datadog and newrelic, graphite's default `from`. */
  interval?: string;
}

/**
 * Builds the provider for a config. Throws a plain Error when the config cannot work
 * (unknown type, invalid address, missing credential keys, invalid interval).
 */
export function createProvider(config: ProviderConfig, options: ProviderOptions): MetricProvider {
  switch (config.type) {
    case 'prometheus':
      return prometheusProvider(config);
    case 'datadog':
      return datadogProvider(config, options);
    case 'newrelic':
      return newrelicProvider(config, options);
    case 'graphite':
      return graphiteProvider(config, options);
    case 'influxdb':
      return influxdbProvider(config);
    default:
      throw new Error(
        `unknown metric provider type "${String((config as { type: unknown }).type)}" (known: ${PROVIDER_TYPES.join(', ')})`,
      );
  }
}
