/**
 * What Kanaria's load tester does for one webhook call, read from the call's `metadata`. Pure.
 *
 * Flagger's load tester runs the shell commands a webhook names (`curl …`, `hey …`). Kanaria's runs no
 * shell: a webhook says what to do as data, and only towards loopback addresses.
 *
 * - `type: request` — `url`, `method` (GET), `count` (1, at most 100), `expect` (200; a status such as
 *   `201` or a class such as `2xx`), `contains` (text the body must contain, like `| grep token`),
 *   `body` (sent with POST/PUT/PATCH): passes when every response meets the expectation.
 * - `type: load` — `url`, `method` (GET), `rps` (10, at most 100), `duration` (`2s`, at most 5s): sends
 *   that load, paced, and reports how it was answered.
 */

export const MAX_REQUESTS = 100;
export const MAX_RPS = 100;
export const MAX_LOAD_MS = 5000;
export const MAX_TIMEOUT_MS = 10_000;

export interface RequestJob {
  type: 'request';
  url: URL;
  method: string;
  count: number;
  expect: StatusExpectation;
  contains?: string;
  body?: string;
  timeoutMs: number;
}

export interface LoadJob {
  type: 'load';
  url: URL;
  method: string;
  rps: number;
  durationMs: number;
  timeoutMs: number;
}

export type Job = RequestJob | LoadJob;

/** A status (`200`) or a class (`2xx`). */
export interface StatusExpectation {
  text: string;
  matches(status: number): boolean;
}

export class JobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobError';
  }
}

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The URL, when it is http(s) on a loopback address (or one `accept` takes, such as a Service URL the
 * load tester resolves itself); a JobError otherwise.
 */
export function loopbackUrl(raw: string | undefined, accept: (url: URL) => boolean = () => false): URL {
  if (!raw) throw new JobError('metadata.url is required');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new JobError(`metadata.url "${raw}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new JobError(`metadata.url "${raw}" is not http(s)`);
  if (!(LOOPBACK_HOSTS.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname) || accept(url)))
    throw new JobError(
      `metadata.url "${raw}" is not a loopback address: this load tester only calls 127.0.0.1`,
    );
  return url;
}

function int(raw: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\s*\d+\s*$/.test(raw)) throw new JobError(`metadata.${name} "${raw}" is not a whole number`);
  const n = parseInt(raw, 10);
  if (n < min || n > max) throw new JobError(`metadata.${name} ${n} is not in ${min}..${max}`);
  return n;
}

/** `500ms`, `2s`, `1.5s`; a bare number is seconds. */
export function parseShortDuration(raw: string, name: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/.exec(raw);
  if (!m) throw new JobError(`metadata.${name} "${raw}" is not a duration such as 500ms or 2s`);
  return Math.round(parseFloat(m[1]) * (m[2] === 'ms' ? 1 : 1000));
}

function method(raw: string | undefined): string {
  const m = (raw ?? 'GET').toUpperCase();
  if (!METHODS.has(m))
    throw new JobError(`metadata.method "${raw}" is not one of ${[...METHODS].join(', ')}`);
  return m;
}

export function statusExpectation(raw: string | undefined): StatusExpectation {
  const text = (raw ?? '200').trim().toLowerCase();
  if (/^[1-5]\d\d$/.test(text)) {
    const want = Number(text);
    return { text, matches: (s) => s === want };
  }
  if (/^[1-5]xx$/.test(text)) {
    const cls = Number(text[0]);
    return { text, matches: (s) => Math.floor(s / 100) === cls };
  }
  throw new JobError(`metadata.expect "${raw}" is not a status such as 200 or a class such as 2xx`);
}

function timeout(metadata: Record<string, string>): number {
  const raw = metadata.timeout;
  if (raw === undefined) return 5000;
  const ms = parseShortDuration(raw, 'timeout');
  if (ms <= 0 || ms > MAX_TIMEOUT_MS) throw new JobError(`metadata.timeout ${raw} is not in (0, 10s]`);
  return ms;
}

/**
 * The job a webhook's metadata asks for; a JobError says what is wrong with it. `acceptUrl` admits URLs
 * beyond loopback addresses.
 */
export function parseJob(
  metadata: Record<string, unknown> | undefined,
  acceptUrl?: (url: URL) => boolean,
): Job {
  const md: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata ?? {}))
    if (typeof v === 'string' || typeof v === 'number') md[k] = String(v);
  switch (md.type) {
    case 'request':
      return {
        type: 'request',
        url: loopbackUrl(md.url, acceptUrl),
        method: method(md.method),
        count: int(md.count, 'count', 1, 1, MAX_REQUESTS),
        expect: statusExpectation(md.expect),
        contains: md.contains || undefined,
        body: md.body,
        timeoutMs: timeout(md),
      };
    case 'load': {
      const durationMs = parseShortDuration(md.duration ?? '2s', 'duration');
      if (durationMs <= 0 || durationMs > MAX_LOAD_MS)
        throw new JobError(`metadata.duration ${md.duration} is not in (0, ${MAX_LOAD_MS / 1000}s]`);
      return {
        type: 'load',
        url: loopbackUrl(md.url, acceptUrl),
        method: method(md.method),
        rps: int(md.rps, 'rps', 10, 1, MAX_RPS),
        durationMs,
        timeoutMs: timeout(md),
      };
    }
    case 'cmd':
    case 'bash':
    case undefined:
      if (md.cmd !== undefined)
        throw new JobError(
          'this load tester runs no shell commands: describe the job with metadata.type "request" or "load"',
        );
      throw new JobError('metadata.type is required: "request" or "load"');
    default:
      throw new JobError(`metadata.type "${md.type}" is not "request" or "load"`);
  }
}

/** Counts of answers by status (`0` for requests that got no answer). */
export type Tally = Record<string, number>;

/** `200×18, 500×2`, statuses in ascending order. */
export function formatTally(tally: Tally): string {
  const entries = Object.entries(tally).sort(([a], [b]) => Number(a) - Number(b));
  if (entries.length === 0) return 'no requests';
  return entries.map(([status, n]) => `${status === '0' ? 'no answer' : status}×${n}`).join(', ');
}
