/**
 * The gate API and the release reports on their own HTTP server (`kanaria gate`, and the operator's
 * --gate-listen-address), with /healthz.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kube } from '../kube/client.ts';
import type { Logger } from '../observability/logger.ts';
import type { GateAuth } from './auth.ts';
import { createGateHandler } from './handler.ts';
import type { CanaryReader } from './report-route.ts';
import type { GateStore } from './store.ts';
import { createSlackRoute, type SlackInteractivityOptions } from '../slack/route.ts';

export interface GateServerOptions {
  kube: Kube;
  log: Logger;
  auth: GateAuth;
  host: string;
  /** 0 picks a free port. */
  port: number;
  store?: GateStore;
  /** Where /report/… reads Canaries; a GET from the API server of `kube` by default. */
  canaries?: CanaryReader;
  /** Serve Slack's interactivity endpoint (POST /slack/interactivity) with this signing secret. */
  slack?: SlackInteractivityOptions;
}

export interface GateServer {
  server: Server;
  /** `http://host:port` */
  url: string;
  close(): Promise<void>;
}

/** `127.0.0.1:8081`, `:8081` (every interface) or `[::1]:8081`. */
export function parseListenAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(address.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new Error(
      `invalid listen address ${JSON.stringify(address)}: use host:port, e.g. 127.0.0.1:8081 or :8081`,
    );
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export async function startGateServer(options: GateServerOptions): Promise<GateServer> {
  const gate = createGateHandler(options);
  const slack = options.slack
    ? createSlackRoute({ ...options.slack, kube: options.kube, log: options.log })
    : undefined;
  const server = createServer((req, res) => {
    if (gate(req, res)) return;
    if (slack?.(req, res)) return;
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end(`Not Found: ${path}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    server,
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
