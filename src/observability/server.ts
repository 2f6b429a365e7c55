import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OperatorMetrics } from './metrics.ts';

export interface HttpServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Served on GET /metrics; without it /metrics is 404. */
  metrics?: OperatorMetrics;
  /** GET /readyz answers 200 only while this returns true. */
  ready: () => boolean;
  /** Tried for every request the built-in routes do not serve; returns true when it handled (or will handle) it. */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export interface HttpServer {
  /** Base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

async function serveBuiltin(
  options: HttpServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<boolean> {
  const builtin = path === '/healthz' || path === '/readyz' || (path === '/metrics' && options.metrics);
  if (!builtin) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
    return true;
  }
  if (path === '/healthz') send(res, 200, 'ok\n');
  else if (path === '/readyz') {
    let ready: boolean;
    try {
      ready = options.ready();
    } catch {
      ready = false;
    }
    send(res, ready ? 200 : 503, ready ? 'ok\n' : 'not ready\n');
  } else if (options.metrics) {
    const { contentType, body } = await options.metrics.render();
    send(res, 200, body, { 'content-type': contentType });
  }
  return true;
}

/** Health, readiness and metrics endpoints (plus optional extra routes) on one node:http server. */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    serveBuiltin(options, req, res, path)
      .then((handled) => {
        if (handled) return;
        if (options.extraRoutes?.(req, res)) return;
        send(res, 404, 'not found\n');
      })
      .catch((err: unknown) => {
        if (res.headersSent) res.destroy(err instanceof Error ? err : undefined);
        else send(res, 500, `internal error: ${err instanceof Error ? err.message : String(err)}\n`);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
