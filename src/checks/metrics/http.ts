import got, { RequestError } from 'got';
import { MetricQueryError } from './errors.ts';

export const DEFAULT_TIMEOUT_MS = 5_000;

/** Per-provider HTTP settings, fixed when the provider is created. */
export interface HttpSettings {
  /** Provider name used in messages ("prometheus", "datadog", …). */
  provider: string;
  timeoutMs: number;
  insecureSkipVerify: boolean;
  /** Extra headers sent with every request (config.headers merged with auth headers). */
  headers: Record<string, string>;
}

export interface HttpRequest {
  method?: 'GET' | 'POST';
  url: URL;
  searchParams?: Record<string, string> | URLSearchParams;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  body: string;
}

/** Appends `path` to the address's own path ("http://h/prom" + "/api/v1/query"). */
export function joinUrl(address: string, path: string): URL {
  const url = new URL(address);
  url.pathname = url.pathname.replace(/\/+$/, '') + path;
  url.search = '';
  url.hash = '';
  return url;
}

/** Throws a plain Error when the address is not an absolute http(s) URL. */
export function checkAddress(type: string, address: string): void {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new Error(`${type} address "${address}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${type} address "${address}" must be an http or https URL`);
  }
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** A short, single-line excerpt of a response body for messages. */
export function excerpt(body: string, max = 200): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function transportError(settings: HttpSettings, err: unknown, signal?: AbortSignal): MetricQueryError {
  const { provider, timeoutMs } = settings;
  if (err instanceof MetricQueryError) return err;
  if (signal?.aborted)
    return new MetricQueryError('ETIMEOUT', `${provider} query was aborted`, { cause: err });
  if (err instanceof RequestError) {
    if (err.name === 'TimeoutError' || err.code === 'ETIMEDOUT') {
      return new MetricQueryError('ETIMEOUT', `${provider} did not answer within ${timeoutMs}ms`, {
        cause: err,
      });
    }
    if (err.name === 'AbortError' || err.code === 'ERR_ABORTED') {
      return new MetricQueryError('ETIMEOUT', `${provider} query was aborted`, { cause: err });
    }
    return new MetricQueryError('EUNREACHABLE', `${provider} is unreachable: ${err.message}`, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new MetricQueryError('EUNREACHABLE', `${provider} request failed: ${message}`, { cause: err });
}

/** One HTTP exchange without retries; transport failures become MetricQueryError, any status is returned. */
export async function send(settings: HttpSettings, req: HttpRequest): Promise<HttpResponse> {
  try {
    const res = await got(req.url, {
      method: req.method ?? 'GET',
      searchParams: req.searchParams,
      headers: { ...settings.headers, ...req.headers },
      body: req.body,
      signal: req.signal,
      timeout: { request: settings.timeoutMs },
      retry: { limit: 0 },
      https: { rejectUnauthorized: !settings.insecureSkipVerify },
      throwHttpErrors: false,
      responseType: 'text',
    });
    return { status: res.statusCode, body: res.body };
  } catch (err) {
    throw transportError(settings, err, req.signal);
  }
}

/**
 * Rejects non-2xx answers: 401/403 → EUNAUTHORIZED, others → EHTTP.
 * `detail` extracts the provider's own error text from the body when it has one.
 */
export function expectOk(
  settings: HttpSettings,
  res: HttpResponse,
  detail: (body: string) => string | undefined = () => undefined,
): void {
  if (res.status >= 200 && res.status < 300) return;
  let text: string | undefined;
  try {
    text = detail(res.body);
  } catch {
    text = undefined;
  }
  text = text ?? excerpt(res.body);
  const suffix = text ? `: ${text}` : '';
  if (res.status === 401 || res.status === 403) {
    throw new MetricQueryError(
      'EUNAUTHORIZED',
      `${settings.provider} rejected the credentials (HTTP ${res.status})${suffix}`,
    );
  }
  throw new MetricQueryError('EHTTP', `${settings.provider} answered HTTP ${res.status}${suffix}`);
}

export function parseJson(settings: HttpSettings, body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch (err) {
    throw malformed(settings, `${(err as Error).message}: ${excerpt(body)}`, err);
  }
}

export function malformed(settings: HttpSettings, why: string, cause?: unknown): MetricQueryError {
  return new MetricQueryError('EMALFORMED', `${settings.provider} returned a malformed response: ${why}`, {
    cause,
  });
}

export function noValues(why = 'the query returned no data'): MetricQueryError {
  return new MetricQueryError('ENOVALUES', `no values found: ${why}`);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads `body.<key>` as a string when the body is a JSON object that has it. */
export function jsonField(body: string, key: string): string | undefined {
  const parsed = JSON.parse(body) as unknown;
  if (!isRecord(parsed)) return undefined;
  const v = parsed[key];
  if (typeof v === 'string') return v;
  if (Array.isArray(v))
    return v.map((x) => (isRecord(x) && typeof x.message === 'string' ? x.message : String(x))).join('; ');
  return undefined;
}

/** A finite-or-infinite number from a JSON number or a numeric string; undefined for anything else. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (s === '+Inf' || s === 'Inf' || s === 'inf' || s === '+inf') return Infinity;
  if (s === '-Inf' || s === '-inf') return -Infinity;
  if (s === 'NaN' || s === 'nan') return NaN;
  if (s === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}

export function settingsOf(
  provider: string,
  config: { timeoutMs?: number; insecureSkipVerify?: boolean; headers?: Record<string, string> },
  authHeaders: Record<string, string> = {},
): HttpSettings {
  return {
    provider,
    timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    insecureSkipVerify: config.insecureSkipVerify ?? false,
    headers: { ...(config.headers ?? {}), ...authHeaders },
  };
}
