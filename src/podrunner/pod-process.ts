/**
 * The process of one SIMULATED pod's container (no container runtime runs it; the pod runner starts it
 * as a child process where a kubelet would start the container). It answers like podinfo, the app of
 * the project's examples, with the version taken from the pod's image tag, on the pod's IP and
 * container ports, and fails and slows down as the pod's env says (see behaviour.ts).
 *
 *   node src/podrunner/pod-process.ts '<config as JSON>'      (see PodProcessConfig)
 *
 * Routes (podinfo's): `GET /` (hostname = pod name, version, message), `/version`, `GET|POST /token`,
 * `/status/{code}`, `/delay/{seconds}` (at most 10), `/healthz`, `/readyz`, `/metrics`; and, for tests,
 * `/counters`: what this process served. `/healthz`, `/readyz`, `/metrics` and `/counters` are probes:
 * never failed, delayed or counted. Every other request is counted (also by the names of the headers and
 * cookies it carried, so a test can tell requests a proxy forwarded, or A/B requests, from the others),
 * and every response carries `x-pod-name`, `x-pod-version` and `x-pod-requests` (the count including
 * that request).
 *
 * The process tells its parent over IPC when it listens (`{ listening: [...] }`) and exits when the IPC
 * channel closes (its runner is gone), on SIGTERM/SIGINT after closing its connections (sending its final
 * counters over IPC first, `{ counters: PodCounters }`, so what it served outlives it), and with status
 * 2 when it cannot listen or its env is invalid (the reason on stderr).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Server, Socket } from 'node:net';
import { flushCompileCache } from 'node:module';
import { seededRandom } from '../dataplane/backend.ts';
import { faultSchedule, parseBehaviour, type Behaviour } from './behaviour.ts';
import { listenOnPod, receiveSockets } from './pod-sockets.ts';

export interface PodProcessConfig {
  ip: string;
  ports: number[];
  pod: string;
  namespace: string;
  image: string;
  version: string;
  /** The runner sends the listening sockets over IPC (pod-sockets.ts) instead of the process opening them. */
  socketsFromRunner?: boolean;
}

/** Request counts of one process, by status and by path. */
export interface PodCounters {
  pod: string;
  namespace: string;
  version: string;
  image: string;
  startedAt: string;
  requests: number;
  faults: number;
  byStatus: Record<string, number>;
  /** Requests that carried each header name (lower case), for the first MAX_NAMES names seen. */
  headerNames: Record<string, number>;
  /** Requests that carried each cookie name, for the first MAX_NAMES names seen. */
  cookieNames: Record<string, number>;
}

/** Bounds the name tallies: a client sending random header names cannot grow them without limit. */
export const MAX_NAMES = 64;

function tally(counts: Record<string, number>, name: string): void {
  if (Object.hasOwn(counts, name)) counts[name] += 1;
  else if (Object.keys(counts).length < MAX_NAMES) counts[name] = 1;
}

/** The distinct cookie names of a Cookie header. */
export function cookieNames(header: string | undefined): Set<string> {
  const names = new Set<string>();
  for (const part of (header ?? '').split(';')) {
    const name = part.split('=')[0].trim();
    if (name) names.add(name);
  }
  return names;
}

const PROBES = new Set(['/healthz', '/readyz', '/metrics', '/counters']);
const MAX_DELAY_S = 10;
/** Prometheus' default buckets, which podinfo's request duration histogram uses. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** The request handler and counters of one simulated pod; exported for tests. */
export function podHandler(config: PodProcessConfig, behaviour: Behaviour) {
  const startedAt = new Date();
  const schedule = faultSchedule(
    behaviour.faultRate,
    behaviour.faultSeed === undefined ? undefined : seededRandom(behaviour.faultSeed),
  );
  const counters: PodCounters = {
    pod: config.pod,
    namespace: config.namespace,
    version: config.version,
    image: config.image,
    startedAt: startedAt.toISOString(),
    requests: 0,
    faults: 0,
    byStatus: {},
    headerNames: {},
    cookieNames: {},
  };
  const durations = new Map<string, { buckets: number[]; sum: number; count: number }>();
  let tokens = 0;

  const observe = (method: string, status: number, seconds: number) => {
    counters.byStatus[status] = (counters.byStatus[status] ?? 0) + 1;
    const key = `${method} ${status}`;
    const d = durations.get(key) ?? { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
    BUCKETS.forEach((le, i) => {
      if (seconds <= le) d.buckets[i] += 1;
    });
    d.sum += seconds;
    d.count += 1;
    durations.set(key, d);
  };

  const metrics = (): string => {
    const lines = [
      '# HELP http_requests_total The total number of HTTP requests served (probes excluded).',
      '# TYPE http_requests_total counter',
    ];
    for (const [key, d] of durations) {
      const [method, status] = key.split(' ');
      lines.push(`http_requests_total{method="${method}",status="${status}"} ${d.count}`);
    }
    lines.push(
      '# HELP http_request_duration_seconds The HTTP request latencies in seconds (probes excluded).',
      '# TYPE http_request_duration_seconds histogram',
    );
    for (const [key, d] of durations) {
      const [method, status] = key.split(' ');
      const labels = `method="${method}",status="${status}"`;
      BUCKETS.forEach((le, i) =>
        lines.push(`http_request_duration_seconds_bucket{${labels},le="${le}"} ${d.buckets[i]}`),
      );
      lines.push(`http_request_duration_seconds_bucket{${labels},le="+Inf"} ${d.count}`);
      lines.push(`http_request_duration_seconds_sum{${labels}} ${d.sum}`);
      lines.push(`http_request_duration_seconds_count{${labels}} ${d.count}`);
    }
    lines.push(
      '# HELP simulated_pod_info The simulated pod this process stands for.',
      '# TYPE simulated_pod_info gauge',
      `simulated_pod_info{pod="${escapeLabel(config.pod)}",namespace="${escapeLabel(config.namespace)}",` +
        `version="${escapeLabel(config.version)}",image="${escapeLabel(config.image)}"} 1`,
      '# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.',
      '# TYPE process_start_time_seconds gauge',
      `process_start_time_seconds ${startedAt.getTime() / 1000}`,
    );
    return lines.join('\n') + '\n';
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    const path = new URL(req.url ?? '/', 'http://pod').pathname;
    const method = req.method ?? 'GET';
    req.resume();
    const headers: Record<string, string> = { 'x-pod-name': config.pod, 'x-pod-version': config.version };
    const send = (status: number, body: unknown, contentType = 'application/json; charset=utf-8') => {
      if (res.destroyed) return;
      const payload = typeof body === 'string' ? body : JSON.stringify(body, null, 2) + '\n';
      res.writeHead(status, {
        ...headers,
        'content-type': contentType,
        'content-length': Buffer.byteLength(payload),
      });
      res.end(method === 'HEAD' ? undefined : payload);
    };

    if (PROBES.has(path)) {
      if (path === '/metrics') return send(200, metrics(), 'text/plain; version=0.0.4; charset=utf-8');
      if (path === '/counters') return send(200, counters);
      return send(200, { status: 'OK' });
    }

    counters.requests += 1;
    for (const name of Object.keys(req.headers)) tally(counters.headerNames, name);
    for (const name of cookieNames(req.headers.cookie)) tally(counters.cookieNames, name);
    headers['x-pod-requests'] = String(counters.requests);
    const fail = schedule.next();
    const finish = (status: number, body: unknown) => {
      observe(method, status, (performance.now() - started) / 1000);
      send(status, body);
    };
    const answer = () => {
      if (fail) {
        counters.faults += 1;
        return finish(behaviour.faultStatus, {
          error: 'injected fault',
          hostname: config.pod,
          version: config.version,
        });
      }
      const status = /^\/status\/(\d{3})$/.exec(path);
      const delay = /^\/delay\/(\d+(?:\.\d+)?)$/.exec(path);
      if (path === '/' || path === '/api/info') {
        return finish(200, {
          hostname: config.pod,
          version: config.version,
          revision: '',
          color: '#34577c',
          logo: 'https://raw.githubusercontent.com/stefanprodan/podinfo/gh-pages/cuddle_clap.gif',
          message: `greetings from podinfo v${config.version}`,
          goos: process.platform,
          goarch: process.arch === 'x64' ? 'amd64' : process.arch,
          runtime: `node ${process.version}`,
          num_goroutine: '1',
          num_cpu: '1',
        });
      }
      if (path === '/version') return finish(200, { version: config.version, commit: '' });
      if (path === '/token' && (method === 'GET' || method === 'POST')) {
        tokens += 1;
        const token = Buffer.from(`${config.pod}:${tokens}`).toString('base64url');
        return finish(200, { token, expires_at: new Date(Date.now() + 60_000).toISOString() });
      }
      if (status) {
        const code = Number(status[1]);
        return finish(code >= 200 && code <= 599 ? code : 400, { status: code });
      }
      if (delay) {
        const seconds = Math.min(Number(delay[1]), MAX_DELAY_S);
        setTimeout(() => finish(200, { delay: seconds }), seconds * 1000);
        return;
      }
      finish(404, { code: 404, message: 'not found' });
    };
    if (behaviour.latencyMs > 0) setTimeout(answer, behaviour.latencyMs);
    else answer();
  };

  return { handle, counters, metrics };
}

async function main(): Promise<void> {
  const die = (message: string): never => {
    process.stderr.write(`simulated pod process: ${message}\n`);
    process.exit(2);
  };
  let config: PodProcessConfig;
  try {
    config = JSON.parse(process.argv[2] ?? '') as PodProcessConfig;
  } catch {
    return die('usage: pod-process.ts <config as JSON>');
  }
  let behaviour: Behaviour;
  try {
    behaviour = parseBehaviour(process.env);
  } catch (err) {
    return die(`invalid env: ${(err as Error).message}`);
  }
  const { handle, counters } = podHandler(config, behaviour);
  // Keep idle connections open longer than a proxy keeps its idle upstream connections (Traefik: 90 s),
  // so a proxy never sends a request on a connection this side is closing.
  // The HTTP server never listens itself: it serves the connections of the pod's sockets.
  const http = createServer({ keepAliveTimeout: 120_000 }, handle);
  const connections = new Set<Socket>();
  const serve = (socket: Socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
    http.emit('connection', socket);
    // Sockets of the pod's listeners arrive paused (pod-sockets.ts): nothing was read before this point.
    socket.resume();
  };
  let servers: Server[];
  try {
    servers = config.socketsFromRunner
      ? await receiveSockets(config.ports, (_port, socket) => serve(socket))
      : await listenOnPod(config.ip, config.ports);
  } catch (err) {
    return die((err as Error).message);
  }
  if (!config.socketsFromRunner) for (const server of servers) server.on('connection', serve);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const server of servers) server.close();
    for (const socket of connections) socket.destroy();
    // Nothing is counted after the servers closed: these are the final counters.
    if (process.connected) process.send?.({ counters }, () => process.exit(0));
    else process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
  process.send?.({ listening: config.ports.map((port) => `${config.ip}:${port}`) });
  // When the runner turned the compile cache on: write it now, so processes started next find it.
  flushCompileCache();
}

if (import.meta.main) await main();
