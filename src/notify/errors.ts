import { IncomingWebhookHTTPError, IncomingWebhookRequestError } from '@slack/webhook';
import { OutboundError } from '../net/outbound.ts';
import { sanitizeRemoteText } from '../net/sanitize.ts';
import type { Alert, ProviderConfig } from './notifier.ts';

export type NotifyErrorCode =
  | 'ERR_HTTP' // the receiver's answer was refused: a non-2xx status, a redirect, a body over the cap
  | 'ERR_TIMEOUT' // no answer within the timeout
  | 'ERR_ABORTED' // the caller aborted the request
  | 'ERR_NETWORK' // connection refused, DNS failure, TLS error, ...
  | 'ERR_INVALID_CONFIG' // the provider config cannot be used
  | 'ERR_DROPPED' // the dispatcher was over its in-flight bound
  | 'ERR_UNKNOWN';

/**
 * A failed alert delivery. The message and the (sanitised) cause never contain the provider's
 * address or proxy: webhook URLs embed their credentials.
 */
export class NotifyError extends Error {
  override readonly name = 'NotifyError';
  readonly code: NotifyErrorCode;
  /** HTTP status when code is ERR_HTTP. */
  readonly statusCode?: number;

  constructor(code: NotifyErrorCode, message: string, options?: { cause?: unknown; statusCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options?.statusCode !== undefined) this.statusCode = options.statusCode;
  }
}

/** A non-2xx answer of a receiver; its reason and body are remote text, quoted only sanitised. */
export class HttpAnswerError extends Error {
  override readonly name = 'HttpAnswerError';
  readonly statusCode: number;
  readonly statusText: string;
  readonly body: string;

  constructor(statusCode: number, statusText: string, body: string) {
    super(`HTTP ${statusCode}`);
    this.statusCode = statusCode;
    this.statusText = statusText;
    this.body = body;
  }
}

const REDACTED = '[redacted]';
const REDACTED_URL = '[redacted-url]';
/** A URL, without trailing sentence punctuation. */
const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>()]*[^\s"'<>().,;:!?]/gi;
/** Path segments and query values at least this long are treated as tokens. */
const MIN_TOKEN_LENGTH = 16;

function secretParts(secret: string): string[] {
  const parts = new Set<string>([secret]);
  const add = (value: string, min = 8) => {
    if (value.length >= min) parts.add(value);
  };
  add(encodeURI(secret), 1);
  add(encodeURIComponent(secret), 1);
  try {
    add(decodeURIComponent(secret), 1);
  } catch {
    // not percent-encoded
  }
  if (URL.canParse(secret)) {
    const url = new URL(secret);
    add(url.href);
    add(`${url.host}${url.pathname}${url.search}`);
    add(`${url.pathname}${url.search}`);
    add(url.search.slice(1));
    add(url.username, 4);
    add(url.password, 4);
    for (const segment of url.pathname.split('/')) add(segment, MIN_TOKEN_LENGTH);
    for (const value of url.searchParams.values()) add(value, MIN_TOKEN_LENGTH);
  }
  return [...parts].sort((a, b) => b.length - a.length);
}

/**
 * Removes `secret` (typically a webhook URL) and its token-like parts from `text`, then replaces any
 * remaining URL with a placeholder: error texts from HTTP clients often quote the URL they called.
 */
export function redact(text: string, secret?: string | readonly (string | undefined)[]): string {
  let out = text;
  const secrets = (Array.isArray(secret) ? secret : [secret]).filter((s): s is string => !!s);
  for (const s of secrets) {
    for (const part of secretParts(s)) out = out.split(part).join(REDACTED);
  }
  return out.replace(URL_PATTERN, REDACTED_URL);
}

/** A copy of `err` (and its causes) with every message and stack passed through {@link redact}. */
export function sanitizeError(err: unknown, secrets: readonly (string | undefined)[], depth = 0): Error {
  if (!(err instanceof Error)) return new Error(redact(String(err), secrets));
  const copy = new Error(redact(err.message, secrets));
  copy.name = err.name;
  copy.stack = err.stack === undefined ? undefined : redact(err.stack, secrets);
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') Object.assign(copy, { code });
  if (err.cause instanceof Error && depth < 3) copy.cause = sanitizeError(err.cause, secrets, depth + 1);
  return copy;
}

function errorCode(err: unknown): string | undefined {
  for (let e = err, i = 0; e instanceof Error && i < 4; e = e.cause, i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'ERR_GOT_REQUEST_ERROR') return code;
  }
  return undefined;
}

function snippet(body: unknown): string {
  const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '';
  return sanitizeRemoteText(text);
}

function httpDetail(status: number, statusText: string | undefined, body: unknown): string {
  const text = snippet(body);
  const reason = sanitizeRemoteText(statusText ?? '', { maxChars: 60 });
  return `${status}${reason ? ` ${reason}` : ''}${text ? `: ${text}` : ''}`;
}

function outboundFailure(err: OutboundError): Classified {
  switch (err.code) {
    case 'ETIMEOUT':
      return { code: 'ERR_TIMEOUT', detail: 'timed out' };
    case 'EABORTED':
      return (err.cause as { name?: unknown } | undefined)?.name === 'TimeoutError'
        ? { code: 'ERR_TIMEOUT', detail: 'timed out' }
        : { code: 'ERR_ABORTED', detail: 'aborted' };
    case 'ETOOLARGE':
    case 'EREDIRECT': {
      const detail = sanitizeRemoteText(err.message, { maxChars: 300 });
      return err.status === undefined
        ? { code: 'ERR_HTTP', detail }
        : { code: 'ERR_HTTP', statusCode: err.status, detail: `${err.status}: ${detail}` };
    }
    case 'EUNREACHABLE':
      return { code: 'ERR_NETWORK', detail: err.message };
  }
}

interface Classified {
  code: NotifyErrorCode;
  detail: string;
  statusCode?: number;
}

function classify(err: unknown): Classified {
  if (err instanceof IncomingWebhookRequestError) return classify(err.original);
  if (err instanceof IncomingWebhookHTTPError) {
    return {
      code: 'ERR_HTTP',
      statusCode: err.statusCode,
      detail: httpDetail(err.statusCode, err.statusMessage, err.body),
    };
  }
  if (err instanceof HttpAnswerError) {
    const { statusCode, statusText, body } = err;
    return { code: 'ERR_HTTP', statusCode, detail: httpDetail(statusCode, statusText, body) };
  }
  if (err instanceof OutboundError) return outboundFailure(err);
  const name = err instanceof Error ? err.name : '';
  const code = errorCode(err);
  if (name === 'TimeoutError' || code === 'ETIMEDOUT') return { code: 'ERR_TIMEOUT', detail: 'timed out' };
  if (name === 'AbortError' || code === 'ERR_ABORTED' || code === 'ABORT_ERR') {
    return { code: 'ERR_ABORTED', detail: 'aborted' };
  }
  const message = err instanceof Error ? err.message : String(err);
  // fetch reports "fetch failed" with the useful part in its cause.
  const inner = err instanceof Error && err.cause instanceof Error ? err.cause.message : '';
  const text = inner && !message.includes(inner) ? `${message}: ${inner}` : message;
  if (code) {
    return { code: 'ERR_NETWORK', detail: text.startsWith(code) ? text : `${code}: ${text}` };
  }
  return { code: 'ERR_UNKNOWN', detail: text };
}

/** Where a delivery went, for error messages: address, endpoint and proxy are only used to redact. */
export type DeliveryContext = Pick<ProviderConfig, 'type' | 'name' | 'address' | 'proxy'> & {
  alert: Pick<Alert, 'canary' | 'namespace'>;
  /** The URL actually called, when derived from the address (discord's `/slack`). */
  endpoint?: string;
};

/**
 * Turns whatever a client threw into a NotifyError such as
 * `slack alert for podinfo.test to provider alerts/on-call failed: 500 Internal Server Error`.
 */
export function toNotifyError(err: unknown, ctx: DeliveryContext): NotifyError {
  if (err instanceof NotifyError) return err;
  const secrets = [ctx.endpoint, ctx.address, ctx.proxy];
  const { code, detail, statusCode } = classify(err);
  const target = ctx.name ? ` to provider ${ctx.name}` : '';
  const message = `${ctx.type} alert for ${ctx.alert.canary}.${ctx.alert.namespace}${target} failed: ${detail}`;
  return new NotifyError(code, redact(message, secrets), { cause: sanitizeError(err, secrets), statusCode });
}
