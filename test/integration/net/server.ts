import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Handle = (req: Seen, res: ServerResponse, raw: IncomingMessage) => void;

export interface TestServer {
  /** http://127.0.0.1:<port> (https:// for a TLS server) */
  origin: string;
  port: number;
  /** Every request received, with its headers (what a server on "another host" would learn). */
  seen: Seen[];
  handle: (next: Handle) => void;
  close: () => Promise<void>;
}

/** A real HTTP(S) server on 127.0.0.1 that records every request and answers as `handle` says. */
export async function startServer(
  handle: Handle,
  tls?: { cert: string | Buffer; key: string | Buffer },
): Promise<TestServer> {
  let current = handle;
  const seen: Seen[] = [];
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = {
        method: req.method ?? '',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(s);
      current(s, res, req);
    });
  };
  const server = tls ? createHttpsServer(tls, listener) : createServer(listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    seen,
    handle: (next) => (current = next),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * Streams `total` bytes of `chunk` repeated, respecting back-pressure, until done or the client
 * goes away; resolves with the bytes written.
 */
export function stream(res: ServerResponse, chunk: Buffer, total: number): Promise<number> {
  return new Promise((resolve) => {
    let written = 0;
    let closed = false;
    res.on('close', () => {
      closed = true;
      resolve(written);
    });
    const pump = () => {
      while (!closed && written < total) {
        const piece = chunk.subarray(0, Math.min(chunk.length, total - written));
        written += piece.length;
        if (!res.write(piece)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!closed) res.end(() => resolve(written));
    };
    pump();
  });
}

export const rssMiB = () => process.memoryUsage().rss / 2 ** 20;
