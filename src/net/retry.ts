import { OutboundError } from './errors.ts';

/** Retries of one call are capped at this many, whatever the caller asks for. */
export const MAX_RETRIES = 10;
export const DEFAULT_RETRY_BASE_MS = 250;
export const DEFAULT_RETRY_CAP_MS = 5_000;
/** Answers worth another try: rate limited, or a gateway/proxy that could not reach the server. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

export interface RetryPolicy {
  /** Retries after the first attempt (0: one attempt only); capped at {@link MAX_RETRIES}. */
  retries: number;
  /** Delay before the first retry, doubling with each further one (default 250 ms). */
  baseDelayMs?: number;
  /** Cap of one delay, Retry-After included (default 5 s). */
  maxDelayMs?: number;
}

/** How an attempt ended: an answer (its status and Retry-After header), or a thrown error. */
export type AttemptOutcome = { status: number; retryAfter?: string | string[] } | { error: unknown };

/** Retry-After in seconds (the HTTP-date form is ignored: it needs a clock), as milliseconds. */
function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || !/^\s*\d+\s*$/.test(v)) return undefined;
  return Number(v) * 1000;
}

/**
 * The retry policy, as one pure function: the delay in ms before retry number `retry` (1 for the
 * first) after `outcome`, or undefined when there is to be no retry. Retried: no answer at all
 * (EUNREACHABLE: refused, reset, DNS) and the statuses 429, 502, 503 and 504. Not retried: other
 * statuses, timeouts (a call that hung once would hang again, and the wait would multiply), aborts,
 * oversized answers and refused redirects. Delays double from `baseDelayMs` up to `maxDelayMs`
 * with equal jitter (uniform in [d/2, d]) so calls that failed together do not return together;
 * a Retry-After in seconds lengthens the delay, up to the same cap.
 */
export function retryDelay(
  policy: RetryPolicy,
  retry: number,
  outcome: AttemptOutcome,
  random: () => number = Math.random,
): number | undefined {
  const allowed = Math.min(Math.max(0, Math.floor(policy.retries)), MAX_RETRIES);
  if (!(retry >= 1 && retry <= allowed)) return undefined;
  if ('error' in outcome) {
    if (!(outcome.error instanceof OutboundError && outcome.error.code === 'EUNREACHABLE')) return undefined;
  } else if (!RETRY_STATUSES.has(outcome.status)) {
    return undefined;
  }
  const base = policy.baseDelayMs ?? DEFAULT_RETRY_BASE_MS;
  const cap = policy.maxDelayMs ?? DEFAULT_RETRY_CAP_MS;
  const d = Math.min(base * 2 ** Math.min(retry - 1, 30), cap);
  const jittered = Math.round(d / 2 + (random() * d) / 2);
  const after = 'status' in outcome ? retryAfterMs(outcome.retryAfter) : undefined;
  return after === undefined ? jittered : Math.min(Math.max(jittered, after), cap);
}

/** Waits `ms`, or rejects with EABORTED (the reason as cause) as soon as `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const aborted = () => new OutboundError('EABORTED', 'the call was aborted', { cause: signal?.reason });
    if (signal?.aborted) return reject(aborted());
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `attempt` and retries it as {@link retryDelay} says. Resolves with the last answer (which
 * may carry a retryable status when the retries ran out) or rejects with the last error; an abort
 * of `signal` while waiting rejects with EABORTED.
 */
export async function withRetries<T extends { status: number; headers?: Record<string, unknown> }>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  signal?: AbortSignal,
  random: () => number = Math.random,
): Promise<T> {
  for (let retry = 1; ; retry++) {
    let outcome: AttemptOutcome;
    let answer: T | undefined;
    try {
      answer = await attempt();
      const retryAfter = answer.headers?.['retry-after'];
      outcome = {
        status: answer.status,
        retryAfter: typeof retryAfter === 'string' || Array.isArray(retryAfter) ? retryAfter : undefined,
      };
    } catch (error) {
      outcome = { error };
    }
    const delay = retryDelay(policy, retry, outcome, random);
    if (delay === undefined) {
      if ('error' in outcome) throw outcome.error;
      return answer as T;
    }
    await pause(delay, signal);
  }
}
