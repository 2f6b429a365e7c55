import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HookCall {
  path: string;
  body: Record<string, unknown>;
  /** What `observe` saw while the call was held open (the caller waits for the answer). */
  observed?: unknown;
}

/** A real HTTP webhook receiver on 127.0.0.1 whose answer per path a test sets. */
export class HookServer {
  readonly calls: HookCall[] = [];
  private readonly answers = new Map<string, number>();
  private server?: Server;
  url = '';
  /** Runs before each answer, while the caller waits: a view of the world during the check. */
  observe?: (call: HookCall) => Promise<unknown>;

  answer(path: string, status: number): void {
    this.answers.set(path, status);
  }

  async start(): Promise<this> {
    this.server = createServer((req: IncomingMessage, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const path = req.url ?? '/';
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(raw || '{}') as Record<string, unknown>;
        } catch {
          /* keep empty */
        }
        const call: HookCall = { path, body };
        this.calls.push(call);
        const status = this.answers.get(path) ?? 200;
        void (this.observe?.(call) ?? Promise.resolve(undefined))
          .catch((err: unknown) => String(err))
          .then((observed) => {
            call.observed = observed;
            res.writeHead(status, { 'content-type': 'text/plain' });
            res.end(status < 300 ? 'ok' : 'load test failed: 87 errors');
          });
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this;
  }

  callsTo(path: string): HookCall[] {
    return this.calls.filter((c) => c.path === path);
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }
}
