/**
 * Kanaria's load tester: the local equivalent of Flagger's load tester for webhooks. An HTTP server on
 * 127.0.0.1 that takes Flagger-style webhook payloads (`{ name, namespace, phase, checksum, metadata }`)
 * and, instead of running `curl`/`hey` commands, does what `metadata` describes (see loadtester-jobs.ts):
 * `type: request` acceptance tests and `type: load` bounded load, against loopback addresses (and, with a
 * resolver, `http://<service>.<namespace>/` URLs resolved to a ready endpoint of the Service).
 * It answers 200 when the job met its expectation and 500 with the reason otherwise, so a pre-rollout
 * or rollout webhook that points at it passes or fails the release step.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  formatTally,
  JobError,
  parseJob,
  type Job,
  type LoadJob,
  type RequestJob,
  type Tally,
} from './loadtester-jobs.ts';

export const MAX_BODY_BYTES = 64 * 1024;
/** Jobs running at once; more are answered 429. */
export const MAX_CONCURRENT_JOBS = 4;

/**
 * Turns URLs the load tester cannot call as they are (e.g. `http://<service>.<namespace>/`, where no
 * cluster DNS or kube-proxy exists) into ones it can, when a job runs (see service-resolver.ts).
 */
export interface UrlResolver {
  accepts(url: URL): boolean;
  resolve(url: URL): Promise<URL>;
}

export interface LoadTesterOptions {
  /** Port on 127.0.0.1; 0 or unset picks a free one. */
  port?: number;
  /** Also call the URLs this resolver accepts, at the address it resolves them to for each job. */
  resolver?: UrlResolver;
  log?: (line: string) => void;
}

/** One webhook call as the load tester saw it. */
export interface LoadTesterCall {
  at: number;
  /** `<name>.<namespace>` of the Canary, when the payload named it. */
  canary?: string;
  phase?: string;
  type?: string;
  status: number;
  message: string;
}

export interface LoadTester {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Every call answered so far, oldest first. */
  readonly calls: readonly LoadTesterCall[];
  close(): Promise<void>;
}

interface Outcome {
  ok: boolean;
  message: string;
}

/** One HTTP call; resolves with its status (0 when there was no answer) and body. */
function call(job: Job, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const send = job.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      job.url,
      {
        method: job.method,
        headers: body !== undefined ? { 'content-length': Buffer.byteLength(body) } : {},
        timeout: job.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_BODY_BYTES) chunks.push(c);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', () => resolve({ status: 0, body: '' }));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end(body);
  });
}

async function runRequests(job: RequestJob): Promise<Outcome> {
  const tally: Tally = {};
  let missing = 0;
  const withBody = job.body !== undefined && !['GET', 'HEAD', 'DELETE'].includes(job.method);
  for (let i = 0; i < job.count; i++) {
    const res = await call(job, withBody ? job.body : undefined);
    tally[res.status] = (tally[res.status] ?? 0) + 1;
    if (job.expect.matches(res.status) && job.contains !== undefined && !res.body.includes(job.contains))
      missing += 1;
  }
  const good = Object.entries(tally)
    .filter(([s]) => job.expect.matches(Number(s)))
    .reduce((sum, [, n]) => sum + n, 0);
  const what = `${job.method} ${job.url.href}`;
  if (good === job.count && missing === 0)
    return { ok: true, message: `${job.count}/${job.count} ${what} answered ${job.expect.text}` };
  const reasons = [`${good}/${job.count} ${what} answered ${job.expect.text}; got ${formatTally(tally)}`];
  if (missing > 0) reasons.push(`${missing} bodies without "${job.contains}"`);
  return { ok: false, message: reasons.join('; ') };
}

async function runLoad(job: LoadJob): Promise<Outcome> {
  const total = Math.max(1, Math.round((job.rps * job.durationMs) / 1000));
  const started = performance.now();
  const tally: Tally = {};
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / job.rps;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(
      call(job).then((res) => {
        tally[res.status] = (tally[res.status] ?? 0) + 1;
      }),
    );
  }
  await Promise.all(pending);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  return {
    ok: true,
    message: `sent ${total} requests (${job.rps}/s) to ${job.method} ${job.url.href} in ${seconds}s: ${formatTally(tally)}`,
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new JobError(`payload larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

interface Payload {
  name?: unknown;
  namespace?: unknown;
  phase?: unknown;
  metadata?: Record<string, unknown>;
}

/** Starts the load tester on 127.0.0.1. */
export async function startLoadTester(options: LoadTesterOptions = {}): Promise<LoadTester> {
  const log = options.log ?? (() => undefined);
  const calls: LoadTesterCall[] = [];
  let running = 0;
  const server: Server = createServer((req, res) => {
    const answer = (status: number, message: string, record?: Omit<LoadTesterCall, 'status' | 'message'>) => {
      if (record) {
        calls.push({ ...record, status, message });
        log(`${record.canary ?? '-'} ${record.type ?? '-'}: ${status} ${message}`);
      }
      if (res.headersSent) return;
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${message}\n`);
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && (path === '/healthz' || path === '/readyz')) return answer(200, 'OK');
    if (req.method !== 'POST') return answer(405, 'use POST with a webhook payload');
    void (async () => {
      const record: Omit<LoadTesterCall, 'status' | 'message'> = { at: Date.now() };
      try {
        const payload = JSON.parse((await readBody(req)) || '{}') as Payload;
        if (typeof payload.name === 'string' && typeof payload.namespace === 'string')
          record.canary = `${payload.name}.${payload.namespace}`;
        if (typeof payload.phase === 'string') record.phase = payload.phase;
        const { resolver } = options;
        const job = parseJob(payload.metadata, resolver && ((url) => resolver.accepts(url)));
        if (resolver?.accepts(job.url)) job.url = await resolver.resolve(job.url);
        record.type = job.type;
        if (running >= MAX_CONCURRENT_JOBS)
          return answer(429, `${running} jobs already running; try again`, record);
        running += 1;
        try {
          const outcome = job.type === 'request' ? await runRequests(job) : await runLoad(job);
          answer(outcome.ok ? 200 : 500, outcome.message, record);
        } finally {
          running -= 1;
        }
      } catch (err) {
        if (err instanceof JobError || err instanceof SyntaxError)
          return answer(400, err instanceof SyntaxError ? 'payload is not JSON' : err.message, record);
        answer(500, `load tester failed: ${err instanceof Error ? err.message : String(err)}`, record);
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: options.port ?? 0 }, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
