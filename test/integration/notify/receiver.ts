import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  /** As sent on the request line: a path, or an absolute URL when the client used us as a proxy. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** How to answer: a status (and body), or 'hang' to read the request and never answer. */
export type Reply = { status: number; body?: string } | 'hang';

export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  requests: ReceivedRequest[];
  /** Resolves with the next request (or the first one not yet taken). */
  next(): Promise<ReceivedRequest>;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 that records JSON requests and answers as `reply` says. */
export async function startReceiver(
  reply: (req: ReceivedRequest) => Reply = () => ({ status: 200, body: 'ok' }),
): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const waiters: ((r: ReceivedRequest) => void)[] = [];
  let taken = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        // keep the raw text
      }
      const received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      requests.push(received);
      const waiter = waiters.shift();
      if (waiter) {
        taken++;
        waiter(received);
      }
      const answer = reply(received);
      if (answer === 'hang') return;
      res.writeHead(answer.status, { 'content-type': 'text/plain' });
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    next: () =>
      taken < requests.length
        ? Promise.resolve(requests[taken++])
        : new Promise<ReceivedRequest>((resolve) => waiters.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
