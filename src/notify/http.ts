import http from 'node:http';
import https from 'node:https';
import got, { type Agents } from 'got';
import type { FetchFunction } from '@slack/webhook';
import { toNotifyError } from './errors.ts';
import type { Alert, ProviderConfig } from './notifier.ts';

const USER_AGENT = 'kanaria-notifier';

/** Per-request timeout when a provider sets none. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Agents that send every request through `proxy` (CONNECT tunnels for https targets). Relies on
 * Node's built-in proxy support in `http.Agent` (`proxyEnv`, Node ≥ 24.5).
 */
export function proxyAgents(proxy: string): Agents {
  return {
    http: new http.Agent({ proxyEnv: { HTTP_PROXY: proxy } }),
    https: new https.Agent({ proxyEnv: { HTTPS_PROXY: proxy } }),
  };
}

/** POSTs JSON bodies to one provider's address: one attempt, a timeout, errors as NotifyError. */
export class JsonSink {
  readonly #config: ProviderConfig;
  readonly #address: string;
  readonly #agents: Agents | undefined;

  /** `address` may differ from `config.address` (e.g. discord's `/slack` endpoint). */
  constructor(config: ProviderConfig, address = config.address) {
    this.#config = config;
    this.#address = address;
    this.#agents = config.proxy ? proxyAgents(config.proxy) : undefined;
  }

  async post(alert: Alert, body: unknown, signal?: AbortSignal): Promise<void> {
    try {
      await got.post(this.#address, {
        json: body,
        headers: { 'user-agent': USER_AGENT },
        timeout: { request: this.#config.timeoutMs ?? DEFAULT_TIMEOUT_MS },
        retry: { limit: 0 },
        followRedirect: false,
        agent: this.#agents,
        signal,
      });
    } catch (err) {
      throw toNotifyError(err, { ...this.#config, endpoint: this.#address, alert });
    }
  }
}

/**
 * A `fetch` for `@slack/webhook` that goes through got, so it can use proxy agents (the library's
 * own transport is the global fetch, which takes no per-client proxy).
 */
export function gotFetch(agents: Agents): FetchFunction {
  return async (...[url, init]: Parameters<FetchFunction>) => {
    const res = await got(String(url), {
      method: (init?.method ?? 'GET') as 'POST',
      headers: init?.headers,
      body: typeof init?.body === 'string' ? init.body : undefined,
      signal: init?.signal,
      agent: agents,
      retry: { limit: 0 },
      followRedirect: false,
      throwHttpErrors: false,
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined) headers.append(name, v);
    }
    return new Response(res.rawBody.length ? new Uint8Array(res.rawBody) : null, {
      status: res.statusCode,
      statusText: res.statusMessage ?? '',
      headers,
    });
  };
}
