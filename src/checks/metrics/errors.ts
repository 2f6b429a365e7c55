/** Stable codes of metric query failures; callers branch on these, never on messages. */
export const METRIC_ERROR_CODES = [
  'ENOVALUES',
  'EUNAUTHORIZED',
  'ETIMEOUT',
  'EMALFORMED',
  'EHTTP',
  'EUNREACHABLE',
] as const;
export type MetricErrorCode = (typeof METRIC_ERROR_CODES)[number];

/**
 * A metric query that did not produce a value.
 * - ENOVALUES: the query ran but returned no sample (or NaN), usually no traffic yet
 * - EUNAUTHORIZED: the provider rejected the credentials (HTTP 401/403)
 * - ETIMEOUT: no answer within the timeout, or the caller aborted
 * - EMALFORMED: the answer could not be read as the provider's documented format, or its body is
 *   larger than the cap (1 MiB by default)
 * - EHTTP: any other non-2xx answer (a redirect to another host included), or an error reported
 *   inside the answer (bad query)
 * - EUNREACHABLE: connection refused, DNS failure, TLS failure and other transport errors
 */
export class MetricQueryError extends Error {
  readonly code: MetricErrorCode;

  constructor(code: MetricErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MetricQueryError';
    this.code = code;
  }
}

export function isMetricQueryError(err: unknown, code?: MetricErrorCode): err is MetricQueryError {
  return err instanceof MetricQueryError && (code === undefined || err.code === code);
}
