import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PodCountersStatus } from './counters.ts';
import type { PodRunner } from './runner.ts';

export interface StatusServer {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  close(): Promise<void>;
}

/**
 * The pod runner's processes as JSON, for tests and people: `GET /processes` (all namespaces) or
 * `GET /processes?namespace=<ns>` answers `PodRunnerStatus`; `GET /counters[?namespace=<ns>]` answers
 * `PodCountersStatus`, what every process served, those that ended included.
 */
export async function serveStatus(runner: PodRunner, host = '127.0.0.1', port = 0): Promise<StatusServer> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://runner');
    req.resume();
    const namespace = url.searchParams.get('namespace') ?? undefined;
    if (req.method === 'GET' && url.pathname === '/processes') {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(runner.status(namespace)));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/counters') {
      void runner.counters(namespace).then(
        (processes) => {
          const body: PodCountersStatus = { processes };
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        },
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
      );
      return;
    }
    res
      .writeHead(404, { 'content-type': 'text/plain' })
      .end('GET /processes[?namespace=<ns>] or GET /counters[?namespace=<ns>]\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
