/**
 * Part of the SIMULATED ingress-nginx data plane used by tests and the demo (no real NGINX runs):
 * the controller's Prometheus series, served on /metrics.
 *
 * Names, types and labels follow ingress-nginx's socket collector
 * (internal/ingress/metric/collectors/socket.go, fed by rootfs/etc/nginx/lua/monitor.lua):
 * every request series carries `status, method, path, namespace, ingress, service, canary` plus `host`
 * (metrics-per-host, on by default) and the constant `controller_namespace, controller_class,
 * controller_pod`. The location decides `namespace`, `ingress`, `service` and `path`, so canary traffic is
 * labelled with the MAIN Ingress and its Service; `canary` is `$proxy_alternative_upstream_name`: empty for
 * the primary, the canary upstream `<namespace>-<service>-<port>` when the request went to the canary.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Histogram, Registry } from 'prom-client';

export const REQUEST_LABELS = [
  'status',
  'method',
  'path',
  'namespace',
  'ingress',
  'service',
  'canary',
  'host',
] as const;
export type RequestLabel = (typeof REQUEST_LABELS)[number];

/** prometheus.DefBuckets, ingress-nginx's default time buckets. */
export const TIME_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface ControllerIdentity {
  /** default `k8s.io/ingress-nginx` */
  class?: string;
  /** default `ingress-nginx` */
  namespace?: string;
  /** default `ingress-nginx-controller-simulated` */
  pod?: string;
}

export interface RequestRecord {
  namespace: string;
  /** The main Ingress, also for canary traffic. */
  ingress: string;
  /** The main Ingress's backend Service, also for canary traffic. */
  service: string;
  /** '' for the primary; the canary upstream name otherwise. */
  canary: string;
  status: number | string;
  method: string;
  path: string;
  host: string;
  /** Measured time of the upstream call. */
  durationSeconds: number;
}

/** ingress-nginx's upstream name: `<namespace>-<service>-<port number or name>`. */
export function upstreamName(namespace: string, service: string, port: number | string): string {
  return `${namespace}-${service}-${port}`;
}

export class SimulatedNginxExporter {
  readonly registry: Registry;
  #requests: Counter<RequestLabel>;
  #responseDuration: Histogram<RequestLabel>;
  #requestDuration: Histogram<RequestLabel>;
  #server: Server | undefined;
  #url: string | undefined;

  constructor(controller: ControllerIdentity = {}) {
    this.registry = new Registry();
    this.registry.setDefaultLabels({
      controller_class: controller.class ?? 'k8s.io/ingress-nginx',
      controller_namespace: controller.namespace ?? 'ingress-nginx',
      controller_pod: controller.pod ?? 'ingress-nginx-controller-simulated',
    });
    const registers = [this.registry];
    this.#requests = new Counter({
      name: 'nginx_ingress_controller_requests',
      help: 'The total number of client requests',
      labelNames: REQUEST_LABELS,
      registers,
    });
    this.#responseDuration = new Histogram({
      name: 'nginx_ingress_controller_response_duration_seconds',
      help: 'The time spent on receiving the response from the upstream server',
      labelNames: REQUEST_LABELS,
      buckets: TIME_BUCKETS,
      registers,
    });
    this.#requestDuration = new Histogram({
      name: 'nginx_ingress_controller_request_duration_seconds',
      help: 'The request processing time in milliseconds',
      labelNames: REQUEST_LABELS,
      buckets: TIME_BUCKETS,
      registers,
    });
  }

  record(r: RequestRecord): void {
    const labels: Record<RequestLabel, string> = {
      status: String(r.status),
      method: r.method,
      path: r.path,
      namespace: r.namespace,
      ingress: r.ingress,
      service: r.service,
      canary: r.canary,
      host: r.host,
    };
    this.#requests.inc(labels);
    this.#responseDuration.observe(labels, r.durationSeconds);
    this.#requestDuration.observe(labels, r.durationSeconds);
  }

  /** The exposition text, as served on /metrics. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** The `/metrics` URL once listening. */
  get url(): string | undefined {
    return this.#url;
  }

  /** `127.0.0.1:<port>`, the scrape target once listening. */
  get target(): string | undefined {
    return this.#url ? new URL(this.#url).host : undefined;
  }

  /** Serves /metrics on 127.0.0.1 (port 0 = a free one); resolves to the scrape target `127.0.0.1:<port>`. */
  async listen(port = 0): Promise<string> {
    if (this.#server) return this.target!;
    const server = createServer((req, res) => {
      if ((req.url ?? '/').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port }, () => resolve());
    });
    this.#server = server;
    this.#url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    return this.target!;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    this.#url = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
