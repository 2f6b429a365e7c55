import { isOutboundError, outbound } from '../../net/outbound.ts';
import { sanitizeRemoteText } from '../../net/sanitize.ts';
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
  /** Largest answer body read; undefined: the outbound client's default (1 MiB). */
  maxBodyBytes?: number;
  /** Credential values, redacted from every piece of the provider's answer quoted in a message. */
  secrets: string[];
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

/** A short, single-line excerpt of a response body for messages, control characters and credentials removed. */
export function excerpt(body: string, max = 200, secrets: readonly string[] = []): string {
  return sanitizeRemoteText(body, { maxChars: max, secrets });
}

/** Remote text (an error the provider reported) made fit for a check message. */
export function remoteText(settings: HttpSettings, text: string, max = 200): string {
  return sanitizeRemoteText(text, { maxChars: max, secrets: settings.secrets });
}

function transportError(settings: HttpSettings, err: unknown, signal?: AbortSignal): MetricQueryError {
  const { provider, timeoutMs } = settings;
  if (err instanceof MetricQueryError) return err;
  if (signal?.aborted || isOutboundError(err, 'EABORTED'))
    return new MetricQueryError('ETIMEOUT', `${provider} query was aborted`, { cause: err });
  if (isOutboundError(err, 'ETIMEOUT')) {
    return new MetricQueryError('ETIMEOUT', `${provider} did not answer within ${timeoutMs}ms`, {
      cause: err,
    });
  }
  if (isOutboundError(err, 'ETOOLARGE')) {
    return new MetricQueryError('EMALFORMED', `${provider} answer refused: ${err.message}`, { cause: err });
  }
  if (isOutboundError(err, 'EREDIRECT')) {
    const status = err.status ? `HTTP ${err.status}, ` : '';
    const text = remoteText(settings, err.message, 300);
    return new MetricQueryError('EHTTP', `${provider} answered with a redirect (${status}${text})`, {
      cause: err,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new MetricQueryError('EUNREACHABLE', `${provider} is unreachable: ${message}`, { cause: err });
}

/**
 * One HTTP exchange without retries through the bounded outbound client (timeout over the whole
 * exchange, body cap, redirects only to the same host); transport failures become
 * MetricQueryError, any status is returned.
 */
export async function send(settings: HttpSettings, req: HttpRequest): Promise<HttpResponse> {
  const url = new URL(req.url);
  if (req.searchParams) url.search = new URLSearchParams(req.searchParams).toString();
  try {
    const res = await outbound({
      url,
      method: req.method ?? 'GET',
      headers: { ...settings.headers, ...req.headers },
      body: req.body,
      signal: req.signal,
      timeoutMs: settings.timeoutMs,
      maxBodyBytes: settings.maxBodyBytes,
      insecureSkipVerify: settings.insecureSkipVerify,
    });
    return { status: res.status, body: res.body.toString('utf8') };
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
  text = remoteText(settings, text ?? res.body);
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
    throw malformed(settings, `${(err as Error).message}: ${excerpt(body, 200, settings.secrets)}`, err);
  }
}

/** `why` may quote the answer: it is sanitised (and cut) before it becomes part of the message. */
export function malformed(settings: HttpSettings, why: string, cause?: unknown): MetricQueryError {
  return new MetricQueryError(
    'EMALFORMED',
    `${settings.provider} returned a malformed response: ${remoteText(settings, why, 300)}`,
    { cause },
  );
}

/** An error the provider reported inside its answer (a bad query): EHTTP with the text sanitised. */
export function queryError(settings: HttpSettings, text: string): MetricQueryError {
  return new MetricQueryError('EHTTP', `${settings.provider} query error: ${remoteText(settings, text)}`);
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

/** Header names whose values are credentials. */
const CREDENTIAL_HEADER = /auth|key|token|secret|cookie|password/i;

export function settingsOf(
  provider: string,
  config: {
    timeoutMs?: number;
    insecureSkipVerify?: boolean;
    headers?: Record<string, string>;
    credentials?: Record<string, string>;
    maxBodyBytes?: number;
  },
  authHeaders: Record<string, string> = {},
): HttpSettings {
  const headers = { ...(config.headers ?? {}), ...authHeaders };
  const secrets = [
    ...Object.values(config.credentials ?? {}).flatMap((v) => [v, v.trim()]),
    ...Object.entries(headers)
      .filter(([name]) => CREDENTIAL_HEADER.test(name))
      .map(([, v]) => v),
  ].filter((v) => v.length > 0);
  return {
    provider,
    timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    insecureSkipVerify: config.insecureSkipVerify ?? false,
    headers,
    ...(config.maxBodyBytes !== undefined ? { maxBodyBytes: config.maxBodyBytes } : {}),
    secrets: [...new Set(secrets)],
  };
}
