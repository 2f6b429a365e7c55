import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanaryWebhook } from '../../../src/api/types.ts';
import { runMetricCheck } from '../../../src/checks/metrics/evaluate.ts';
import { createProvider, type ProviderConfig } from '../../../src/checks/metrics/provider.ts';
import { callHook } from '../../../src/checks/webhooks.ts';
import { rssMiB, startServer, stream, type TestServer } from './server.ts';

/**
 * Hostile remote answers against the real webhook and metric clients: huge bodies, no answer, a
 * trickle, redirects to another host, secrets in error bodies. Each must become a failed check
 * with a clear message within the call's timeout, without the process's memory growing with the
 * answer.
 */

const MIB = 2 ** 20;
const payload = { name: 'podinfo', namespace: 'test', phase: 'Progressing', checksum: 'abc' };
const canary = { name: 'podinfo', namespace: 'test', target: 'podinfo', ingress: 'podinfo' };
const now = () => Date.parse('2026-01-01T00:00:00Z');
const PLANTED = 'planted-s3cr3t-9f8e7d6c';
const TOKEN = 'tok-4b1d2c3e5f607182';

/** Streams pieces from `next` with back-pressure until it returns undefined or the client goes away. */
function streamParts(res: ServerResponse, next: () => string | undefined): Promise<number> {
  return new Promise((resolve) => {
    let written = 0;
    let closed = false;
    res.on('close', () => {
      closed = true;
      resolve(written);
    });
    const pump = () => {
      for (let part = next(); !closed; part = next()) {
        if (part === undefined) return res.end();
        written += Buffer.byteLength(part);
        if (!res.write(part)) return void res.once('drain', pump);
      }
    };
    pump();
  });
}

/** A Prometheus instant-query answer with `n` series, generated as it is sent. */
function manySeries(n: number): () => string | undefined {
  let i = -1;
  return () => {
    i++;
    if (i === 0) return '{"status":"success","data":{"resultType":"vector","result":[';
    if (i > Math.ceil(n / 1000)) return i === Math.ceil(n / 1000) + 1 ? ']}}' : undefined;
    const from = (i - 1) * 1000;
    const parts: string[] = [];
    for (let k = from; k < Math.min(n, from + 1000); k++) {
      parts.push(
        `${k ? ',' : ''}{"metric":{"__name__":"http_requests_total","pod":"pod-${k}"},"value":[1767225600,"1"]}`,
      );
    }
    return parts.join('');
  };
}

describe('hostile answers become failed checks, bounded in time and memory', () => {
  let hooks: TestServer;
  let other: TestServer;
  let prom: TestServer;
  const written: Record<string, Promise<number>> = {};
  let rssBefore = 0;

  beforeAll(async () => {
    other = await startServer((_req, res) => res.end('thanks for the credentials'));
    hooks = await startServer((req, res) => {
      switch (req.path) {
        case '/big': // 200 with 50 MiB, chunked: no length to refuse up front
          res.writeHead(200, { 'content-type': 'text/plain' });
          written.big = stream(res, Buffer.alloc(64 * 1024, 'x'), 50 * MIB);
          return;
        case '/hang':
          return;
        case '/trickle': {
          res.writeHead(200, { 'content-type': 'text/plain' });
          const t = setInterval(() => res.write('.'), 1000);
          res.on('close', () => clearInterval(t));
          return;
        }
        case '/away':
          res.writeHead(307, { location: `${other.origin}/collect` }).end();
          return;
        case '/same':
          res.writeHead(308, { location: '/ok' }).end();
          return;
        case '/ok':
          res.end('ok');
          return;
        case '/leak':
          res.writeHead(500, 'Internal Server Error', { 'content-type': 'text/plain' });
          res.end(
            `upstream refused\n\x1b[31mAuthorization: Bearer ${TOKEN}\x1b[0m\nand the db password is ${PLANTED}; retry later`,
          );
          return;
        default:
          res.writeHead(404).end();
      }
    });
    prom = await startServer((req, res) => {
      const path = new URL(req.path, 'http://x').pathname;
      if (path === '/many/api/v1/query') {
        res.writeHead(200, { 'content-type': 'application/json' });
        written.prometheus = streamParts(res, manySeries(1_000_000));
      } else if (path === '/away/api/v1/query') {
        res.writeHead(307, { location: `${other.origin}/api/v1/query` }).end();
      } else if (path === '/same/api/v1/query') {
        res.writeHead(307, { location: req.path.replace('/same/', '/') }).end();
      } else if (path === '/echo/api/v1/query') {
        res.writeHead(401, { 'content-type': 'text/plain' });
        res.end(`token ${TOKEN} is not valid here (you sent: ${req.headers.authorization})`);
      } else if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.writeHead(401).end('Unauthorized');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            status: 'success',
            data: { resultType: 'vector', result: [{ metric: {}, value: [1, '99.5'] }] },
          }),
        );
      }
    });
    rssBefore = rssMiB();
    console.log(`RSS before the hostile answers: ${rssBefore.toFixed(1)} MiB`);
  });
  afterAll(async () => {
    await Promise.all([hooks, other, prom].map((s) => s?.close()));
  });

  const hook = (path: string, timeout = '2s', extra: Partial<CanaryWebhook> = {}): CanaryWebhook => ({
    name: path.slice(1),
    url: `${hooks.origin}${path}`,
    timeout,
    ...extra,
  });

  async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
    const started = performance.now();
    const value = await run();
    return [value, performance.now() - started];
  }

  it('a webhook answering 200 with a 50 MiB body fails at the 1 MiB cap, the connection cut', async () => {
    const [result, ms] = await timed(() => callHook(hook('/big'), payload));
    expect(result).toMatchObject({
      ok: false,
      message: 'webhook big failed: response body larger than 1 MiB',
    });
    const sent = await written.big;
    console.log(
      `50 MiB webhook: failed after ${ms.toFixed(0)} ms; the server got ${(sent / MIB).toFixed(1)} MiB out`,
    );
    expect(ms).toBeLessThan(2_000);
    expect(sent).toBeLessThan(50 * MIB);
  });

  it('a webhook that never answers fails after its timeout', async () => {
    const [result, ms] = await timed(() => callHook(hook('/hang', '1s'), payload));
    expect(result).toMatchObject({ ok: false, message: 'webhook hang failed: timed out after 1s' });
    console.log(`silent webhook: failed after ${ms.toFixed(0)} ms (timeout 1 s)`);
    expect(ms).toBeGreaterThanOrEqual(990);
    expect(ms).toBeLessThan(1_500);
  });

  it('a webhook sending a byte a second fails after its timeout, body included', async () => {
    const [result, ms] = await timed(() => callHook(hook('/trickle', '2s'), payload));
    expect(result).toMatchObject({ ok: false, message: 'webhook trickle failed: timed out after 2s' });
    console.log(`trickling webhook: failed after ${ms.toFixed(0)} ms (timeout 2 s)`);
    expect(ms).toBeLessThan(2_500);
  });

  it('a webhook redirecting to another host fails, naming both; nothing reaches the other host', async () => {
    const [result, ms] = await timed(() => callHook(hook('/away', '2s', { retries: 3 }), payload));
    expect(result).toMatchObject({
      ok: false,
      message: `webhook away failed: redirect from 127.0.0.1:${hooks.port} to 127.0.0.1:${other.port} refused: only the same scheme, host and port are followed`,
    });
    expect(ms).toBeLessThan(500); // a refused redirect is not retried
    expect(other.seen).toEqual([]);
  });

  it('a webhook redirecting on the same host is followed, with its body', async () => {
    const before = hooks.seen.length;
    await expect(callHook(hook('/same'), payload)).resolves.toMatchObject({ ok: true });
    expect(hooks.seen.slice(before).map((r) => [r.method, r.path, JSON.parse(r.body).name])).toEqual([
      ['POST', '/same', 'podinfo'],
      ['POST', '/ok', 'podinfo'],
    ]);
  });

  it('secrets in a failing webhook body are redacted; the rest is quoted on one line', async () => {
    const result = await callHook(hook('/leak'), payload, undefined, { secrets: [PLANTED] });
    expect(result.ok).toBe(false);
    expect(result.message).toBe(
      'webhook leak failed: 500 Internal Server Error: upstream refused Authorization: [redacted] and the db password is [redacted]; retry later',
    );
    expect(result.message).not.toContain(TOKEN);
    expect(result.message).not.toContain(PLANTED);
  });

  const prometheus = (path: string, extra: Partial<ProviderConfig> = {}): ProviderConfig => ({
    type: 'prometheus',
    address: `${prom.origin}${path}`,
    timeoutMs: 5_000,
    credentials: { token: TOKEN },
    ...extra,
  });
  const check = (config: ProviderConfig) =>
    runMetricCheck({
      metric: { name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } },
      canary,
      provider: createProvider(config, { now }),
    });

  it('a Prometheus answer with 1,000,000 series fails at the cap instead of being parsed', async () => {
    const [result, ms] = await timed(() => check(prometheus('/many')));
    expect(result).toMatchObject({
      ok: false,
      code: 'EMALFORMED',
      message:
        'metric request-success-rate query failed: prometheus answer refused: response body larger than 1 MiB',
    });
    const sent = await written.prometheus;
    console.log(
      `1,000,000 series: failed after ${ms.toFixed(0)} ms; the server got ${(sent / MIB).toFixed(1)} MiB out of ~${((manySeriesSize() * 1_000_000) / MIB).toFixed(0)} MiB`,
    );
    expect(ms).toBeLessThan(5_000);
  });

  it('a Prometheus redirect to another host fails and its bearer token never reaches that host', async () => {
    const result = await check(prometheus('/away'));
    expect(result).toMatchObject({
      ok: false,
      code: 'EHTTP',
      message: `metric request-success-rate query failed: prometheus answered with a redirect (HTTP 307, redirect from 127.0.0.1:${prom.port} to 127.0.0.1:${other.port} refused: only the same scheme, host and port are followed)`,
    });
    expect(other.seen).toEqual([]);
  });

  it('a Prometheus redirect on the same host is followed with the token', async () => {
    const before = prom.seen.length;
    await expect(check(prometheus('/same'))).resolves.toMatchObject({ ok: true, value: 99.5 });
    const [first, second] = prom.seen.slice(before);
    expect(first.path).toMatch(/^\/same\/api\/v1\/query\?query=/);
    expect(second.path).toMatch(/^\/api\/v1\/query\?query=/);
    expect(second.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('a credential echoed in a Prometheus error body is redacted', async () => {
    const result = await check(prometheus('/echo'));
    expect(result).toMatchObject({
      ok: false,
      code: 'EUNAUTHORIZED',
      message:
        'metric request-success-rate query failed: prometheus rejected the credentials (HTTP 401): token [redacted] is not valid here (you sent: [redacted])',
    });
  });

  it('the RSS of the test process grew by less than 100 MiB over all of the above', () => {
    const after = rssMiB();
    console.log(
      `RSS after the hostile answers: ${after.toFixed(1)} MiB (before ${rssBefore.toFixed(1)} MiB, +${(after - rssBefore).toFixed(1)} MiB)`,
    );
    expect(after - rssBefore).toBeLessThan(100);
  });
});

function manySeriesSize(): number {
  return '{"metric":{"__name__":"http_requests_total","pod":"pod-500000"},"value":[1767225600,"1"]},'.length;
}
