/**
 * A pass-through in front of a test backend that remembers, per request, whether it carried a given
 * header (or cookie). The simulated data plane counts requests per target only; the tap tells whether
 * the canary got requests WITHOUT the A/B header or cookie, which it never may.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cookieNames } from '../src/podrunner/pod-process.ts';

export interface HeaderTapStats {
  matched: number;
  unmatched: number;
}

/** What the tap looks for on each request. */
export type TapMatch = { header: string } | { cookie: string };

export class HeaderTap {
  readonly url: string;
  #server: Server;
  #stats: HeaderTapStats = { matched: 0, unmatched: 0 };

  private constructor(server: Server) {
    this.#server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Forwards every request to `target` (a loopback URL) and counts it by the presence of `match`. */
  static async start(target: string, match: TapMatch): Promise<HeaderTap> {
    const to = new URL(target);
    const server = createServer({ keepAliveTimeout: 65_000 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
    });
    const tap = new HeaderTap(server);
    server.on('request', (req, res) => {
      const found =
        'header' in match
          ? req.headers[match.header.toLowerCase()] !== undefined
          : cookieNames(req.headers.cookie).has(match.cookie);
      if (found) tap.#stats.matched += 1;
      else tap.#stats.unmatched += 1;
      const upstream = request(
        { hostname: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(upstream);
    });
    return tap;
  }

  get stats(): HeaderTapStats {
    return { ...this.#stats };
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
