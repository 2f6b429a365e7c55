import http from 'node:http';
import https from 'node:https';
import type { FetchFunction } from '@slack/webhook';
import { outbound, type OutboundAgents } from '../net/outbound.ts';
import { HttpAnswerError, toNotifyError } from './errors.ts';
import type { Alert, ProviderConfig } from './notifier.ts';

const USER_AGENT = 'kanaria-notifier';

/** Per-request timeout when a provider sets none. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Statuses whose answers have no body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Agents that send every request through `proxy` (CONNECT tunnels for https targets). Relies on
 * Node's built-in proxy support in `http.Agent` (`proxyEnv`, Node ≥ 24.5).
 */
export function proxyAgents(proxy: string): OutboundAgents {
  return {
    http: new http.Agent({ proxyEnv: { HTTP_PROXY: proxy } }),
    https: new https.Agent({ proxyEnv: { HTTPS_PROXY: proxy } }),
  };
}

/**
 * POSTs JSON bodies to one provider's address through the bounded outbound client: one attempt,
 * a timeout over the whole exchange, the answer's body capped, no redirects followed (a redirect
 * is a failed delivery); errors as NotifyError.
 */
export class JsonSink {
  readonly #config: ProviderConfig;
  readonly #address: string;
  readonly #agents: OutboundAgents | undefined;

  /** `address` may differ from `config.address` (e.g. discord's `/slack` endpoint). */
  constructor(config: ProviderConfig, address = config.address) {
    this.#config = config;
    this.#address = address;
    this.#agents = config.proxy ? proxyAgents(config.proxy) : undefined;
  }

  async post(alert: Alert, body: unknown, signal?: AbortSignal): Promise<void> {
    try {
      const res = await outbound({
        url: this.#address,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT },
        body: JSON.stringify(body),
        timeoutMs: this.#config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxBodyBytes: this.#config.maxBodyBytes,
        maxRedirects: 0,
        agents: this.#agents,
        signal,
      });
      if (res.status < 200 || res.status > 299) {
        throw new HttpAnswerError(res.status, res.statusText, res.body.toString('utf8'));
      }
    } catch (err) {
      throw toNotifyError(err, { ...this.#config, endpoint: this.#address, alert });
    }
  }
}

export interface BoundedFetchOptions {
  timeoutMs: number;
  maxBodyBytes?: number;
  agents?: OutboundAgents;
}

/**
 * A `fetch` for `@slack/webhook` built on the bounded outbound client (the library's own transport
 * is the global fetch, which reads any body whole, takes no per-client proxy and has no cap):
 * one exchange, the timeout over all of it, the body capped, a redirect returned as the answer
 * (the library asks for `redirect: 'error'`; its non-2xx handling then fails the post).
 */
export function boundedFetch(options: BoundedFetchOptions): FetchFunction {
  return async (...[url, init]: Parameters<FetchFunction>) => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
    const res = await outbound({
      url: String(url),
      method: init?.method ?? 'GET',
      headers,
      body: typeof init?.body === 'string' ? init.body : undefined,
      signal: init?.signal ?? undefined,
      timeoutMs: options.timeoutMs,
      maxBodyBytes: options.maxBodyBytes,
      maxRedirects: 0,
      agents: options.agents,
    });
    const answer = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined) answer.append(name, v);
    }
    const hasBody = res.body.length > 0 && !NULL_BODY_STATUSES.has(res.status);
    return new Response(hasBody ? new Uint8Array(res.body) : null, {
      status: res.status,
      statusText: res.statusText,
      headers: answer,
    });
  };
}
