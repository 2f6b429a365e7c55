/**
 * A SIMULATION of the ingress-nginx data plane for tests and the demo (no real NGINX runs).
 *
 * `SimulatedNginx` watches the Ingresses of one namespace, reads the main Ingress `<name>` and its canary
 * Ingress `<name>-canary`, and generates a bounded stream of HTTP requests on the loopback interface to a
 * primary or a canary test backend, decided per request the way ingress-nginx's balancer does. It
 * measures each call and records `nginx_ingress_controller_*` series with ingress-nginx's labels, served
 * for Prometheus to scrape.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { pino, type Logger } from 'pino';
import type { Kube } from '../kube/client.ts';
import { watchCache, type WatchCache } from '../kube/informer.ts';
import type { V1Ingress } from '../kube/types.ts';
import { SimulatedNginxExporter, type ControllerIdentity } from './exporter.ts';
import { routeView, type RouteView } from './ingress.ts';
import { route, type CanaryRules, type RouteTarget } from './router.ts';
import { checkTraffic, profileAt, profileHeaders, type TrafficProfile } from './traffic.ts';

export type { TrafficProfile };

export interface SimulatedNginxOptions {
  kube: Kube;
  namespace: string;
  /** The main Ingress; the canary Ingress is `<ingress>-canary` unless given. */
  ingress: string;
  canaryIngress?: string;
  /** Where primary and canary traffic go: loopback URLs only (a `TestBackend` fits). */
  primary: { url: string };
  canary: { url: string };
  /** Requests per second, 0 < rps ≤ 1000; default 20. */
  rps?: number;
  traffic?: TrafficProfile[];
  method?: string;
  /** The generator stops itself after this long; default 10 minutes. */
  maxDurationMs?: number;
  /** Requests in flight above this are dropped (counted in `stats.dropped`); default 100. */
  maxInFlight?: number;
  requestTimeoutMs?: number;
  /** Port of the /metrics server on 127.0.0.1; default 0 (a free one). */
  metricsPort?: number;
  /** Share an exporter (its server is then not started or stopped here). */
  exporter?: SimulatedNginxExporter;
  controller?: ControllerIdentity;
  annotationPrefix?: string;
  /** Source of the weight draws, [0, 1); default Math.random. */
  random?: () => number;
  /** Clock for the request timestamps of `canarySince`; default Date.now. */
  now?: () => number;
  log?: Logger;
}

export interface SimulatedNginxStats {
  primary: number;
  canary: number;
  /** Ticks when the main Ingress was missing or routed to no Service. */
  unrouted: number;
  /** Ticks skipped because `maxInFlight` requests were pending. */
  dropped: number;
  /** Responses with status ≥ 500 (502 for connection errors, 504 for timeouts), per target. */
  errors: Record<RouteTarget, number>;
  inFlight: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function loopbackUrl(url: string, what: string): URL {
  const u = new URL(url);
  if (u.protocol !== 'http:' || !(LOOPBACK.has(u.hostname) || u.hostname.startsWith('127.'))) {
    throw new Error(`${what} backend ${url} is not an http:// loopback address`);
  }
  return u;
}

/** Status of a request to retry: its kept-alive socket was closed under it. */
const RETRY = -1;

export class SimulatedNginx {
  readonly namespace: string;
  readonly ingress: string;
  readonly canaryIngress: string;
  readonly exporter: SimulatedNginxExporter;
  #o: SimulatedNginxOptions;
  #targets: Record<RouteTarget, URL>;
  #rps: number;
  #traffic: TrafficProfile[];
  #random: () => number;
  #now: () => number;
  #log: Logger;
  #agent: Agent;
  #cache: WatchCache<V1Ingress> | undefined;
  #view: RouteView | undefined;
  #ticker: NodeJS.Timeout | undefined;
  #deadline: NodeJS.Timeout | undefined;
  #pacedFrom = 0;
  #pacedSent = 0;
  #seq = 0;
  #inFlight = new Set<Promise<void>>();
  #canaryTimes: number[] = [];
  #stats: SimulatedNginxStats = {
    primary: 0,
    canary: 0,
    unrouted: 0,
    dropped: 0,
    errors: { primary: 0, canary: 0 },
    inFlight: 0,
  };

  constructor(options: SimulatedNginxOptions) {
    this.#o = options;
    this.namespace = options.namespace;
    this.ingress = options.ingress;
    this.canaryIngress = options.canaryIngress ?? `${options.ingress}-canary`;
    this.#targets = {
      primary: loopbackUrl(options.primary.url, 'primary'),
      canary: loopbackUrl(options.canary.url, 'canary'),
    };
    this.#rps = SimulatedNginx.#checkRps(options.rps ?? 20);
    this.#traffic = checkTraffic(options.traffic ?? []);
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? pino({ level: 'silent' });
    this.exporter = options.exporter ?? new SimulatedNginxExporter(options.controller);
    this.#agent = new Agent({ keepAlive: true, maxSockets: options.maxInFlight ?? 100 });
  }

  static #checkRps(rps: number): number {
    if (!(rps > 0 && rps <= 1000)) throw new RangeError(`rps ${rps} is not in (0, 1000]`);
    return rps;
  }

  /** The scrape target of the exporter, `127.0.0.1:<port>`, once started. */
  get metricsTarget(): string | undefined {
    return this.exporter.target;
  }

  /** What the data plane currently routes by (undefined until the main Ingress is seen). */
  get routes(): RouteView | undefined {
    return this.#view;
  }

  get canaryRules(): CanaryRules | undefined {
    return this.#view?.rules;
  }

  get running(): boolean {
    return this.#ticker !== undefined;
  }

  /** Requests sent to each target so far. */
  get counters(): { primary: number; canary: number } {
    return { primary: this.#stats.primary, canary: this.#stats.canary };
  }

  get stats(): SimulatedNginxStats {
    return { ...this.#stats, errors: { ...this.#stats.errors }, inFlight: this.#inFlight.size };
  }

  /** Requests routed to the canary at or after `t` (same clock as the `now` option). */
  canarySince(t: number): number {
    const times = this.#canaryTimes;
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (times[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return times.length - lo;
  }

  setRps(rps: number): void {
    this.#rps = SimulatedNginx.#checkRps(rps);
    this.#pacedFrom = performance.now();
    this.#pacedSent = 0;
  }

  setTraffic(traffic: TrafficProfile[]): void {
    this.#traffic = checkTraffic(traffic);
  }

  /** Syncs the Ingress watch, serves /metrics and starts the generator. */
  async start(): Promise<void> {
    if (this.#ticker) return;
    if (!this.#cache) {
      const { kube, namespace } = this.#o;
      const names = new Set([this.ingress, this.canaryIngress]);
      this.#cache = watchCache<V1Ingress>(
        kube.kc,
        `/apis/networking.k8s.io/v1/namespaces/${namespace}/ingresses`,
        () => kube.networking.listNamespacedIngress({ namespace }),
        (obj) => {
          if (names.has(obj.metadata?.name ?? '')) this.#refresh();
        },
        this.#log,
      );
      await this.#cache.synced;
      this.#refresh();
    }
    if (!this.#o.exporter) await this.exporter.listen(this.#o.metricsPort ?? 0);
    this.#pacedFrom = performance.now();
    this.#pacedSent = 0;
    this.#ticker = setInterval(() => this.#tick(), Math.max(5, Math.min(100, 1000 / this.#rps)));
    this.#deadline = setTimeout(() => this.#halt('maxDurationMs reached'), this.#o.maxDurationMs ?? 600_000);
  }

  /** Stops the generator, waits for requests in flight, stops the watch and the /metrics server. */
  async stop(): Promise<void> {
    this.#halt('stopped');
    await Promise.allSettled([...this.#inFlight]);
    await this.#cache?.stop();
    this.#cache = undefined;
    if (!this.#o.exporter) await this.exporter.close();
    this.#agent.destroy();
  }

  #halt(why: string): void {
    if (this.#ticker) this.#log.info({ why, ...this.counters }, 'simulated traffic stopped');
    clearInterval(this.#ticker);
    clearTimeout(this.#deadline);
    this.#ticker = undefined;
    this.#deadline = undefined;
  }

  #refresh(): void {
    const ns = this.namespace;
    this.#view = routeView(
      this.#cache?.get(this.ingress, ns),
      this.#cache?.get(this.canaryIngress, ns),
      this.#o.annotationPrefix,
    );
    this.#log.debug({ rules: this.#view?.rules, upstream: this.#view?.canaryUpstream }, 'routes changed');
  }

  #tick(): void {
    const due = Math.floor(((performance.now() - this.#pacedFrom) * this.#rps) / 1000);
    let n = due - this.#pacedSent;
    // After a stall (a paused event loop), do not burst more than one second's worth.
    if (n > this.#rps) {
      this.#pacedSent = due - Math.ceil(this.#rps);
      n = Math.ceil(this.#rps);
    }
    for (; n > 0; n--) {
      this.#pacedSent += 1;
      this.#dispatch();
    }
  }

  #dispatch(): void {
    const view = this.#view;
    if (!view) {
      this.#stats.unrouted += 1;
      return;
    }
    if (this.#inFlight.size >= (this.#o.maxInFlight ?? 100)) {
      this.#stats.dropped += 1;
      return;
    }
    const headers = profileHeaders(profileAt(this.#seq++, this.#traffic));
    if (view.location.host !== '_') headers.host = view.location.host;
    const target =
      view.rules && view.canaryUpstream ? route(view.rules, { headers }, this.#random) : 'primary';
    this.#stats[target] += 1;
    if (target === 'canary') this.#canaryTimes.push(this.#now());
    const p = this.#call(target, view, headers).finally(() => this.#inFlight.delete(p));
    this.#inFlight.add(p);
  }

  #send(url: URL, method: string, headers: Record<string, string>): Promise<number> {
    return new Promise<number>((resolve) => {
      const req = request(url, { method, headers, agent: this.#agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 502));
        res.on('error', () => resolve(502));
      });
      req.setTimeout(this.#o.requestTimeoutMs ?? 10_000, () => {
        req.destroy();
        resolve(504);
      });
      req.on('error', (err: NodeJS.ErrnoException) =>
        resolve(req.reusedSocket && err.code === 'ECONNRESET' ? RETRY : 502),
      );
      req.end();
    });
  }

  async #call(target: RouteTarget, view: RouteView, headers: Record<string, string>): Promise<void> {
    const method = this.#o.method ?? 'GET';
    const url = new URL(view.location.path, this.#targets[target]);
    const started = performance.now();
    let status = await this.#send(url, method, headers);
    // Like NGINX's proxy_next_upstream on `error`: a kept-alive socket the backend had just closed is
    // not the backend's failure, so the request is tried once more on a fresh connection.
    if (status === RETRY) status = await this.#send(url, method, headers);
    if (status === RETRY) status = 502;
    if (status >= 500) this.#stats.errors[target] += 1;
    this.exporter.record({
      ...view.location,
      canary: target === 'canary' ? view.canaryUpstream! : '',
      status,
      method,
      durationSeconds: (performance.now() - started) / 1000,
    });
  }
}
