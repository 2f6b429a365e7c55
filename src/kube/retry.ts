import { ApiException } from '@kubernetes/client-node';

/** Error codes of a request that got no answer: nothing listens, the connection broke, or it timed out. */
const NO_ANSWER_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * True when the API server is unavailable rather than refusing the request: it gave no answer (connection
 * refused or reset, a timeout) or answered 429 or a 5xx. Such a condition ends by itself, usually all at
 * once when the API server is back, so retries should stay frequent enough to notice it quickly. Errors
 * wrapped with `{ cause }` are looked through.
 */
export function isUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    if (e instanceof ApiException) return e.code === 429 || e.code >= 500;
    if (typeof e !== 'object') return false;
    const { code, name, statusCode } = e as { code?: unknown; name?: unknown; statusCode?: unknown };
    // The watch reports a non-200 answer as an Error with `statusCode`.
    if (typeof statusCode === 'number') return statusCode === 429 || statusCode >= 500;
    if (typeof code === 'string' && NO_ANSWER_CODES.has(code)) return true;
    if (name === 'TimeoutError') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The delay before retry number `attempt` (1 for the first retry): `firstMs` doubling per attempt up to
 * `capMs`, then drawn uniformly from the upper half of that, [d/2, d] ("equal jitter"), so that many
 * retries that failed together do not come back together.
 */
export function backoffDelay(
  attempt: number,
  firstMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const d = Math.min(firstMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30), capMs);
  return Math.round(d / 2 + (random() * d) / 2);
}
