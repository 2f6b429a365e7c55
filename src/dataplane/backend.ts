/**
 * Part of the SIMULATED ingress-nginx data plane used by tests and the demo (no real NGINX runs):
 * a test backend standing in for the pods behind the primary or the canary Service.
 *
 * A real `node:http` server on 127.0.0.1 whose error rate and added latency a scenario changes at
 * runtime. Errors are deterministic: with rate r, the n-th request fails when floor(n·r) grows, i.e.
 * exactly every k-th request for r = 1/k; with a `seed`, failures are drawn from a seeded generator.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestBackendOptions {
  /** Shown in responses (`x-backend` header, JSON bodies); default `backend`. */
  name?: string;
  /** Fraction of requests answered with 500, 0..1; default 0. */
  errorRate?: number;
  /** Added latency per request in ms; default 0. */
  latencyMs?: number;
  /** Draw failures from a generator seeded with this value instead of the deterministic spacing. */
  seed?: number;
  /** Port on 127.0.0.1; default 0 (a free one). */
  port?: number;
}

export interface TestBackendStats {
  requests: number;
  errors: number;
}

/** A small seeded generator (mulberry32) returning numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkRate(rate: number): number {
  if (!Number.isFinite(rate) || rate < 0 || rate > 1)
    throw new RangeError(`error rate ${rate} is not in 0..1`);
  return rate;
}

function checkLatency(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0 || ms > 60_000)
    throw new RangeError(`latency ${ms}ms is not in 0..60000`);
  return ms;
}

/** Paths that answer 200 without counting and without injected errors or latency. */
const PROBES = new Set(['/healthz', '/readyz']);

export class TestBackend {
  readonly name: string;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  #server: Server;
  #errorRate: number;
  #latencyMs: number;
  #random: (() => number) | undefined;
  #served = 0; // requests subject to the error rate since the rate was last set
  #failed = 0;
  #stats: TestBackendStats = { requests: 0, errors: 0 };
  #tokens = 0;

  private constructor(server: Server, options: TestBackendOptions) {
    this.#server = server;
    this.name = options.name ?? 'backend';
    this.#errorRate = checkRate(options.errorRate ?? 0);
    this.#latencyMs = checkLatency(options.latencyMs ?? 0);
    this.#random = options.seed === undefined ? undefined : seededRandom(options.seed);
    this.port = (server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
  }

  static async start(options: TestBackendOptions = {}): Promise<TestBackend> {
    // Keep idle connections longer than a client would, so kept-alive sockets are not closed under it.
    const server = createServer({ keepAliveTimeout: 65_000 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: options.port ?? 0 }, () => resolve());
    });
    const backend = new TestBackend(server, options);
    server.on('request', (req, res) => backend.#handle(req, res));
    return backend;
  }

  get errorRate(): number {
    return this.#errorRate;
  }

  get latencyMs(): number {
    return this.#latencyMs;
  }

  /** Requests answered (probes excluded) and how many of them got a 500. */
  get stats(): TestBackendStats {
    return { ...this.#stats };
  }

  get requests(): number {
    return this.#stats.requests;
  }

  setErrorRate(rate: number): void {
    this.#errorRate = checkRate(rate);
    this.#served = 0;
    this.#failed = 0;
  }

  setLatency(ms: number): void {
    this.#latencyMs = checkLatency(ms);
  }

  resetStats(): void {
    this.#stats = { requests: 0, errors: 0 };
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #fails(): boolean {
    if (this.#random) return this.#random() < this.#errorRate;
    this.#served += 1;
    const due = Math.floor(this.#served * this.#errorRate + 1e-9);
    if (due > this.#failed) {
      this.#failed = due;
      return true;
    }
    return false;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    req.resume();
    const send = (status: number, body: unknown) => {
      const payload = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(payload),
        'x-backend': this.name,
      });
      res.end(payload);
    };
    if (PROBES.has(path)) return send(200, { status: 'OK' });
    this.#stats.requests += 1;
    const fail = this.#fails();
    if (fail) this.#stats.errors += 1;
    const answer = () => {
      if (res.destroyed) return;
      if (fail) return send(500, { error: 'injected failure', backend: this.name });
      if (path === '/token' && (req.method === 'GET' || req.method === 'POST')) {
        this.#tokens += 1;
        const token = Buffer.from(`${this.name}:${this.#tokens}`).toString('base64url');
        return send(200, { token, expires_at: new Date(Date.now() + 60_000).toISOString() });
      }
      send(200, { hostname: this.name, message: `greetings from ${this.name}` });
    };
    if (this.#latencyMs > 0) setTimeout(answer, this.#latencyMs);
    else answer();
  }
}
