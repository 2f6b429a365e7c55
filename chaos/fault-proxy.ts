/**
 * A fault-injecting HTTPS proxy on 127.0.0.1 between the operator and the API server. Every request is
 * forwarded to the real API server with both bodies streamed (watches are long chunked responses), except:
 *  - a seeded-random share of writes (POST/PUT/PATCH/DELETE) is faulted: answered 409 Conflict, 429
 *    TooManyRequests (Retry-After: 1) or 500 InternalError as Kubernetes Status JSON without being forwarded,
 *    or its connection is reset before it is forwarded (nothing was written), or it is forwarded and then its
 *    answer is lost — replaced by a 500 or a reset (it was written but the client does not know);
 *  - a share of the reads (watches included) has its connection reset before it is forwarded;
 *  - every watch is cut a random 1–10 s after it started: ended cleanly or its connection reset.
 *
 * TLS: the operator's kubeconfig keeps `insecure-skip-tls-verify`, so any certificate will do. The proxy makes
 * a throwaway self-signed one with the `openssl` CLI in its own temp dir, which works for any cluster; when
 * `openssl` is missing it serves the local control plane's own self-signed pair (`pki/apiserver.{crt,key}`
 * next to the kubeconfig, written by kube-apiserver's `--cert-dir`), read-only.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent, createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { describeRequest, serverCertificate, STATUS, WRITES, withoutHopByHop } from './proxy-http.ts';
import type { Rng } from './rng.ts';

export interface FaultSettings {
  /** Share of writes that get a fault of some kind. */
  writeShare: number;
  /** Of the faulted writes, the share forwarded first whose answer is then lost (half 500, half reset). */
  lostShare: number;
  /** Of the faulted writes, the share whose connection is reset before it is forwarded. */
  resetShare: number;
  /** Share of the reads (watches included) whose connection is reset before they are forwarded. */
  readResetShare: number;
  /** Every watch is cut a random time in [watchCutMinMs, watchCutMaxMs] after it started. */
  watchCutMinMs: number;
  watchCutMaxMs: number;
}

export const FAULT_KINDS = [
  'conflict-409',
  'too-many-requests-429',
  'internal-error-500',
  'write-reset-before-forward',
  'written-then-500',
  'written-then-reset',
  'read-reset',
  'watch-cut-end',
  'watch-cut-reset',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
const RESETS: readonly FaultKind[] = ['write-reset-before-forward', 'written-then-reset', 'read-reset'];

export interface ProxyStats {
  /** Requests by Kubernetes verb (get, list, watch, create, update, patch, delete, discovery, other). */
  requests: Record<string, number>;
  faults: Record<FaultKind, number>;
  writes: { seen: number; faulted: number };
  /** Writes seen and faulted by resource (`canaries/status`, `ingresses`, `leases`, …). */
  writesByResource: Record<string, { seen: number; faulted: number }>;
  /** Requests the API server could not be reached for (answered 502 or cut). */
  upstreamErrors: number;
}

/** One write of the operator as the proxy saw it (evidence for a violation: which write, which rv). */
export interface WriteRecord {
  /** When the request arrived (ms since the epoch). */
  at: number;
  verb: string;
  path: string;
  contentType?: string;
  /** The first 300 characters of the request body. */
  body: string;
  fault?: FaultKind;
  /** The API server's status code, when the request reached it. */
  upstream?: number;
  /** The first resourceVersion in the API server's answer (the written object's). */
  rv?: string;
}

/** Connection resets of every kind (before forwarding, after a write, of reads, of watches). */
export function resetCount(stats: ProxyStats): number {
  return RESETS.reduce((n, k) => n + stats.faults[k], stats.faults['watch-cut-reset']);
}

type Mode = 'pass' | 'watch' | 'written-then-500' | 'written-then-reset';
const ignore = () => undefined;

export class FaultProxy {
  readonly stats: ProxyStats = {
    requests: {},
    faults: Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>,
    writes: { seen: 0, faulted: 0 },
    writesByResource: {},
    upstreamErrors: 0,
  };
  /** Every write, in arrival order. */
  readonly writes: WriteRecord[] = [];
  /** Where the proxy listens: https://127.0.0.1:<port>. */
  url = '';
  /** A copy of the kubeconfig given to start() with the server replaced by the proxy's URL. */
  kubeconfig = '';
  /** Where the proxy's TLS certificate came from. */
  readonly certSource: string;

  private readonly server: Server;
  private readonly agent = new Agent({ keepAlive: true, rejectUnauthorized: false });
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly upstream: URL;
  private readonly settings: FaultSettings;
  private readonly rng: Rng;
  private readonly dir: string;

  private constructor(upstream: URL, settings: FaultSettings, rng: Rng, dir: string, kubeconfig: string) {
    this.upstream = upstream;
    this.settings = settings;
    this.rng = rng;
    this.dir = dir;
    const tls = serverCertificate(dir, kubeconfig);
    this.certSource = tls.source;
    this.server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => this.handle(req, res));
    this.server.on('clientError', (_err, socket) => socket.destroy());
    this.server.on('tlsClientError', ignore);
  }

  /** Starts a proxy in front of the server of `kubeconfig`'s current context. */
  static async start(kubeconfig: string, settings: FaultSettings, rng: Rng): Promise<FaultProxy> {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const server = kc.getCurrentCluster()?.server;
    if (!server) throw new Error(`fault proxy: no server in ${kubeconfig}`);
    const text = readFileSync(kubeconfig, 'utf8');
    if (!text.includes(server)) throw new Error(`fault proxy: cannot find "${server}" in ${kubeconfig}`);
    const dir = mkdtempSync(join(tmpdir(), 'kanaria-fault-proxy-'));
    const proxy = new FaultProxy(new URL(server), settings, rng, dir, kubeconfig);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', resolve);
    });
    proxy.url = `https://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
    proxy.kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(proxy.kubeconfig, text.replaceAll(server, proxy.url), { mode: 0o600 });
    return proxy;
  }

  /** Stops listening, cuts every connection and removes the temp dir (certificate, kubeconfig copy). */
  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    this.agent.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private count(kind: FaultKind): void {
    this.stats.faults[kind]++;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    req.on('error', ignore);
    res.on('error', ignore);
    const method = req.method ?? 'GET';
    const { verb, resource, watch } = describeRequest(method, req.url ?? '/');
    this.stats.requests[verb] = (this.stats.requests[verb] ?? 0) + 1;
    const s = this.settings;
    if (WRITES.has(method)) {
      const w: WriteRecord = { at: Date.now(), verb, path: req.url ?? '', body: '' };
      if (req.headers['content-type']) w.contentType = req.headers['content-type'];
      this.writes.push(w);
      req.on('data', (c: Buffer) => {
        if (w.body.length < 300) w.body += c.toString('utf8', 0, 300 - w.body.length);
      });
      const of = (this.stats.writesByResource[resource] ??= { seen: 0, faulted: 0 });
      this.stats.writes.seen++;
      of.seen++;
      const r = this.rng.next();
      if (r < s.writeShare) {
        this.stats.writes.faulted++;
        of.faulted++;
        const u = r / s.writeShare; // uniform in [0, 1) again: picks the kind of fault
        if (u < s.lostShare) {
          w.fault = this.rng.next() < 0.5 ? 'written-then-500' : 'written-then-reset';
          this.count(w.fault);
          return this.forward(req, res, resource, w.fault, w);
        }
        if (u < s.lostShare + s.resetShare) return this.reset(req, (w.fault = 'write-reset-before-forward'));
        const code = this.rng.pick([409, 429, 500] as const);
        w.fault =
          code === 409 ? 'conflict-409' : code === 429 ? 'too-many-requests-429' : 'internal-error-500';
        this.count(w.fault);
        req.resume();
        req.on('end', () => this.answer(res, code, resource));
        return;
      }
      return this.forward(req, res, resource, 'pass', w);
    } else if (this.rng.next() < s.readResetShare) return this.reset(req, 'read-reset');
    this.forward(req, res, resource, watch ? 'watch' : 'pass');
  }

  /** Destroys the client's connection while its request is still arriving: nothing is forwarded. */
  private reset(req: IncomingMessage, kind: FaultKind): void {
    this.count(kind);
    req.socket.destroy();
  }

  /** A Kubernetes Status answer, as the API server writes it. */
  private answer(res: ServerResponse, code: keyof typeof STATUS, resource: string): void {
    if (res.headersSent || res.destroyed) return;
    const { reason, message } = STATUS[code];
    const body = JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `${message} (injected by the chaos fault proxy on ${resource})`,
      reason,
      code,
    });
    res.writeHead(code, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...(code === 429 ? { 'retry-after': '1' } : {}),
    });
    res.end(body);
  }

  private forward(req: IncomingMessage, res: ServerResponse, resource: string, mode: Mode, w?: WriteRecord) {
    const up = request(
      {
        protocol: 'https:',
        hostname: this.upstream.hostname,
        port: this.upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...withoutHopByHop(req.headers), host: this.upstream.host },
        agent: this.agent,
      },
      (ures) => {
        ures.on('error', ignore);
        if (w) {
          w.upstream = ures.statusCode;
          let head = '';
          ures.on('data', (c: Buffer) => {
            if (head.length < 4096) head += c.toString('utf8', 0, 4096 - head.length);
          });
          ures.on('end', () => (w.rv = /"resourceVersion":"(\d+)"/.exec(head)?.[1]));
        }
        if (mode === 'written-then-500' || mode === 'written-then-reset') {
          ures.resume();
          ures.on('end', () =>
            mode === 'written-then-reset' ? req.socket.destroy() : this.answer(res, 500, resource),
          );
          return;
        }
        res.writeHead(ures.statusCode ?? 502, withoutHopByHop(ures.headers));
        ures.pipe(res);
        if (mode !== 'watch') return;
        // The API server sends a watch's headers at once; Node would hold them until the first event, and the
        // client's watch (an informer's start) would wait for them that long.
        res.flushHeaders();
        this.cutLater(req, res, ures, up);
      },
    );
    up.on('error', () => {
      this.stats.upstreamErrors++;
      if (res.headersSent) res.destroy();
      else this.answer(res, 500, resource);
    });
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    req.pipe(up);
  }

  /** Cuts a watch a random time from now: ends its response cleanly or resets its connection. */
  private cutLater(
    req: IncomingMessage,
    res: ServerResponse,
    ures: IncomingMessage,
    up: { destroy(): void },
  ) {
    const clean = this.rng.next() < 0.5;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (res.writableEnded || res.destroyed) return;
        this.count(clean ? 'watch-cut-end' : 'watch-cut-reset');
        ures.unpipe(res);
        up.destroy();
        if (clean) res.end();
        else req.socket.destroy();
      },
      this.rng.int(this.settings.watchCutMinMs, this.settings.watchCutMaxMs),
    );
    this.timers.add(timer);
    res.on('close', () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    });
  }
}
