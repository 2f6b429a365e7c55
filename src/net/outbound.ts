import http from 'node:http';
import https from 'node:https';
import { formatBytes, OutboundError } from './errors.ts';

export { formatBytes, isOutboundError, OutboundError, type OutboundErrorCode } from './errors.ts';

/** Largest answer body read by default: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Limit of one whole exchange (connect, redirects, headers and body) when the caller sets none. */
export const DEFAULT_OUTBOUND_TIMEOUT_MS = 30_000;
/** Redirects followed by default, each only to the same scheme, host and port. */
export const DEFAULT_MAX_REDIRECTS = 3;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Agents per protocol, e.g. ones that send everything through a proxy. */
export interface OutboundAgents {
  http?: http.Agent;
  https?: https.Agent;
}

export interface OutboundRequest {
  url: string | URL;
  /** GET when unset. */
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Aborts the exchange at once (shutdown, leadership lost): the call rejects with EABORTED. */
  signal?: AbortSignal;
  /** Hard limit of the whole exchange, body and redirects included (default 30 s). */
  timeoutMs?: number;
  /** The answer's body may have at most this many bytes (default 1 MiB); more fails with ETOOLARGE. */
  maxBodyBytes?: number;
  /** https only: accept any certificate. */
  insecureSkipVerify?: boolean;
  /**
   * Redirects followed, each only to the same scheme, host and port (default 3; more fail with
   * EREDIRECT). 0: a redirect is not followed but returned as the answer, like any other status.
   */
  maxRedirects?: number;
  agents?: OutboundAgents;
}

export interface OutboundResponse {
  status: number;
  /** The reason phrase as the server sent it: remote text, sanitise it before showing it. */
  statusText: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Where the answer came from, after redirects. */
  url: URL;
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

/** "host:port", or with the scheme when only the schemes of the two differ. */
function describeOrigins(from: URL, to: URL): [string, string] {
  if (from.host === to.host) return [`${from.protocol}//${from.host}`, `${to.protocol}//${to.host}`];
  return [from.host, to.host];
}

function unreachable(err: unknown): OutboundError {
  if (err instanceof OutboundError) return err;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.message === 'string' && e.message ? e.message : String(err);
  const text = code && !message.includes(code) ? `${code}: ${message}` : message;
  return new OutboundError('EUNREACHABLE', text, { cause: err });
}

interface Exchange {
  req: http.ClientRequest;
  res: http.IncomingMessage;
}

/** Sends one request and resolves with the answer's head; `signal` destroys it with its reason. */
function sendOnce(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | undefined,
  signal: AbortSignal,
  options: OutboundRequest,
): Promise<Exchange> {
  return new Promise<Exchange>((resolve, reject) => {
    const isHttps = url.protocol === 'https:';
    const agent = isHttps ? options.agents?.https : options.agents?.http;
    const requestOptions: https.RequestOptions = { method, headers, ...(agent ? { agent } : {}) };
    if (isHttps && options.insecureSkipVerify) requestOptions.rejectUnauthorized = false;
    let req: http.ClientRequest;
    try {
      req = (isHttps ? https : http).request(url, requestOptions);
    } catch (err) {
      reject(unreachable(err));
      return;
    }
    const onAbort = () => req.destroy(signal.reason as Error);
    // Stays attached for the request's life: an 'error' without a listener would end the process.
    req.on('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(signal.aborted ? signal.reason : unreachable(err));
    });
    req.on('response', (res) => {
      signal.removeEventListener('abort', onAbort);
      resolve({ req, res });
    });
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    req.end(body);
  });
}

/** Reads the answer's body up to `max` bytes; past that it destroys the connection and fails. */
function readBody({ req, res }: Exchange, max: number, signal: AbortSignal): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      res.destroy();
      req.destroy();
      reject(err);
    };
    const onAbort = () => fail(signal.reason);
    const tooLarge = () =>
      new OutboundError('ETOOLARGE', `response body larger than ${formatBytes(max)}`, {
        status: res.statusCode,
      });
    res.on('error', (err) => fail(signal.aborted ? signal.reason : unreachable(err)));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) return fail(tooLarge());
    res.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > max) return fail(tooLarge());
      chunks.push(chunk);
    });
    res.on('end', () => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve(Buffer.concat(chunks, size));
    });
    res.on('close', () => {
      if (!res.complete) {
        fail(new OutboundError('EUNREACHABLE', 'the connection closed before the answer was complete'));
      }
    });
  });
}

/**
 * One HTTP(S) exchange, bounded: the whole exchange (redirects and body included) ends within
 * `timeoutMs`, the body is read only up to `maxBodyBytes` (the connection is destroyed as soon as
 * the cap is passed), redirects are followed at most `maxRedirects` times and only to the same
 * scheme, host and port (so headers, credentials included, never reach another address), and the
 * caller's `signal` ends it at once. Any status is an answer; failures are {@link OutboundError}s.
 *
 * Built on node:http rather than got: got's promise API buffers the whole body before a size can
 * be checked and follows redirects to any host unless hooks intervene; here each rule is a few
 * explicit lines.
 */
export async function outbound(request: OutboundRequest): Promise<OutboundResponse> {
  const timeoutMs = positive(request.timeoutMs, DEFAULT_OUTBOUND_TIMEOUT_MS);
  const maxBody =
    request.maxBodyBytes !== undefined && request.maxBodyBytes >= 0
      ? request.maxBodyBytes
      : DEFAULT_MAX_BODY_BYTES;
  const maxRedirects = Math.max(0, Math.floor(request.maxRedirects ?? DEFAULT_MAX_REDIRECTS));
  let url: URL;
  try {
    url = new URL(request.url);
  } catch (err) {
    throw new OutboundError('EUNREACHABLE', 'the address is not a valid URL', { cause: err });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OutboundError('EUNREACHABLE', `unsupported protocol ${url.protocol}`);
  }
  const caller = request.signal;
  if (caller?.aborted) {
    throw new OutboundError('EABORTED', 'the call was aborted', { cause: caller.reason });
  }

  const deadline = new AbortController();
  const first = url;
  const timer = setTimeout(
    () =>
      deadline.abort(
        new OutboundError('ETIMEOUT', `no complete answer from ${first.host} within ${timeoutMs}ms`),
      ),
    timeoutMs,
  );
  const onCallerAbort = () =>
    deadline.abort(new OutboundError('EABORTED', 'the call was aborted', { cause: caller?.reason }));
  caller?.addEventListener('abort', onCallerAbort, { once: true });

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  let method = (request.method ?? 'GET').toUpperCase();
  let body = request.body;
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));

  try {
    for (let redirects = 0; ; redirects++) {
      const exchange = await sendOnce(url, method, headers, body, deadline.signal, request);
      const { res } = exchange;
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (maxRedirects > 0 && REDIRECT_STATUSES.has(status) && location) {
        res.destroy();
        exchange.req.destroy();
        if (redirects >= maxRedirects) {
          throw new OutboundError('EREDIRECT', `more than ${maxRedirects} redirects from ${first.host}`, {
            status,
          });
        }
        let next: URL;
        try {
          next = new URL(location, url);
        } catch (err) {
          throw new OutboundError('EREDIRECT', `${url.host} redirected to an invalid location`, {
            cause: err,
            status,
          });
        }
        if (next.origin !== url.origin) {
          const [from, to] = describeOrigins(url, next);
          throw new OutboundError(
            'EREDIRECT',
            `redirect from ${from} to ${to} refused: only the same scheme, host and port are followed`,
            { status },
          );
        }
        if (status === 303 && method !== 'HEAD') {
          method = 'GET';
          body = undefined;
          delete headers['content-length'];
          delete headers['content-type'];
        }
        url = next;
        continue;
      }
      const payload = await readBody(exchange, maxBody, deadline.signal);
      return { status, statusText: res.statusMessage ?? '', headers: res.headers, body: payload, url };
    }
  } catch (err) {
    throw deadline.signal.aborted ? deadline.signal.reason : unreachable(err);
  } finally {
    clearTimeout(timer);
    caller?.removeEventListener('abort', onCallerAbort);
  }
}
