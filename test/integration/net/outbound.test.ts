import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BODY_BYTES, OutboundError, outbound } from '../../../src/net/outbound.ts';
import { withRetries } from '../../../src/net/retry.ts';
import { startServer, stream, type TestServer } from './server.ts';

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
async function server(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const s = await startServer(...args);
  servers.push(s);
  return s;
}

async function failure(promise: Promise<unknown>): Promise<OutboundError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OutboundError);
  return err as OutboundError;
}

describe('outbound: one bounded exchange', () => {
  it('sends method, headers and body, and returns status, reason, headers and body', async () => {
    const s = await server((req, res) => {
      res.writeHead(201, 'Made It', { 'x-answer': '42' });
      res.end(`you sent ${req.body}`);
    });
    const res = await outbound({
      url: `${s.origin}/a?b=c`,
      method: 'post',
      headers: { 'Content-Type': 'application/json', authorization: 'Bearer t' },
      body: '{"x":1}',
    });
    expect(res).toMatchObject({ status: 201, statusText: 'Made It', headers: { 'x-answer': '42' } });
    expect(res.body.toString()).toBe('you sent {"x":1}');
    expect(s.seen[0]).toMatchObject({ method: 'POST', path: '/a?b=c', body: '{"x":1}' });
    expect(s.seen[0].headers).toMatchObject({
      'content-type': 'application/json',
      'content-length': '7',
      authorization: 'Bearer t',
    });
  });

  it('reads a body of exactly the cap, and fails one byte over it', async () => {
    const s = await server((req, res) => {
      const n = Number(req.path.slice(1));
      res.writeHead(200, req.headers['x-length'] === 'no' ? {} : { 'content-length': String(n) });
      void stream(res, Buffer.alloc(64 * 1024, 'a'), n);
    });
    const ok = await outbound({ url: `${s.origin}/${DEFAULT_MAX_BODY_BYTES}` });
    expect(ok.body.length).toBe(DEFAULT_MAX_BODY_BYTES);
    for (const length of ['yes', 'no']) {
      const err = await failure(
        outbound({ url: `${s.origin}/${DEFAULT_MAX_BODY_BYTES + 1}`, headers: { 'x-length': length } }),
      );
      expect(err).toMatchObject({
        code: 'ETOOLARGE',
        status: 200,
        message: 'response body larger than 1 MiB',
      });
    }
    const small = await failure(outbound({ url: `${s.origin}/2000`, maxBodyBytes: 1000 }));
    expect(small.message).toBe('response body larger than 1000 bytes');
  });

  it('follows up to 3 redirects on the same host with the same headers; a 303 becomes a GET', async () => {
    const s = await server((req, res) => {
      const hop = Number(/^\/hop(\d)/.exec(req.path)?.[1] ?? -1);
      if (hop >= 0 && hop < 3) {
        res.writeHead(hop === 2 ? 303 : 307, { location: `/hop${hop + 1}` }).end();
      } else {
        res.end(`${req.method} ${req.path} ${req.headers.authorization}`);
      }
    });
    const res = await outbound({
      url: `${s.origin}/hop0`,
      method: 'POST',
      body: 'x',
      headers: { authorization: 'Bearer same-host' },
    });
    expect(res.body.toString()).toBe('GET /hop3 Bearer same-host');
    expect(res.url.pathname).toBe('/hop3');
    expect(s.seen.map((r) => `${r.method} ${r.path} ${r.body}`)).toEqual([
      'POST /hop0 x',
      'POST /hop1 x',
      'POST /hop2 x',
      'GET /hop3 ',
    ]);
    const tooMany = await failure(outbound({ url: `${s.origin}/hop0`, maxRedirects: 2 }));
    expect(tooMany).toMatchObject({ code: 'EREDIRECT', status: 303 });
    expect(tooMany.message).toBe(`more than 2 redirects from 127.0.0.1:${s.port}`);
  });

  it('refuses a redirect to another host before sending anything there', async () => {
    const other = await server((_req, res) => res.end('stolen'));
    const s = await server((_req, res) =>
      res.writeHead(302, { location: `${other.origin}/collect?from=redirect` }).end(),
    );
    const err = await failure(
      outbound({ url: `${s.origin}/x`, headers: { authorization: 'Bearer only-for-s' } }),
    );
    expect(err).toMatchObject({ code: 'EREDIRECT', status: 302 });
    expect(err.message).toBe(
      `redirect from 127.0.0.1:${s.port} to 127.0.0.1:${other.port} refused: only the same scheme, host and port are followed`,
    );
    expect(other.seen).toEqual([]);
  });

  it('returns a redirect as the answer when maxRedirects is 0', async () => {
    const s = await server((_req, res) =>
      res.writeHead(301, { location: 'http://elsewhere.invalid/' }).end(),
    );
    const res = await outbound({ url: s.origin, maxRedirects: 0 });
    expect(res.status).toBe(301);
    expect(s.seen).toHaveLength(1);
  });

  it('the timeout covers the whole exchange, body included', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      const t = setInterval(() => res.write('x'), 100);
      res.on('close', () => clearInterval(t));
    });
    const started = performance.now();
    const err = await failure(outbound({ url: s.origin, timeoutMs: 400 }));
    expect(err.code).toBe('ETIMEOUT');
    expect(err.message).toBe(`no complete answer from 127.0.0.1:${s.port} within 400ms`);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('an abort ends the exchange at once, before or after the headers, with the reason as cause', async () => {
    const s = await server((req, res) => {
      if (req.path === '/headers') res.writeHead(200).write('partial');
    });
    for (const path of ['/hang', '/headers']) {
      const controller = new AbortController();
      const call = outbound({ url: `${s.origin}${path}`, signal: controller.signal });
      await new Promise((r) => setTimeout(r, 100));
      const reason = new Error('leadership lost');
      const abortedAt = performance.now();
      controller.abort(reason);
      const err = await failure(call);
      expect(err).toMatchObject({ code: 'EABORTED', cause: reason });
      expect(performance.now() - abortedAt).toBeLessThan(100);
    }
    const before = s.seen.length;
    const err = await failure(outbound({ url: s.origin, signal: AbortSignal.abort(new Error('stopped')) }));
    expect(err.code).toBe('EABORTED');
    await new Promise((r) => setTimeout(r, 50));
    expect(s.seen).toHaveLength(before);
  });

  it('a refused connection and an answer cut short are EUNREACHABLE', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('only part');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const cut = await failure(outbound({ url: s.origin }));
    expect(cut.code).toBe('EUNREACHABLE');
    const port = s.port;
    await s.close();
    servers = [];
    const refused = await failure(outbound({ url: `http://127.0.0.1:${port}/` }));
    expect(refused.code).toBe('EUNREACHABLE');
    expect(refused.message).toContain('ECONNREFUSED');
    expect((await failure(outbound({ url: 'ftp://127.0.0.1/' }))).message).toBe('unsupported protocol ftp:');
  });

  it('retries a 503 and a refused connection with the retry helper, not a 500', async () => {
    let n = 0;
    const s = await server((_req, res) => res.writeHead(++n < 3 ? 503 : 200).end());
    const policy = { retries: 3, baseDelayMs: 10, maxDelayMs: 20 };
    expect((await withRetries(() => outbound({ url: s.origin }), policy)).status).toBe(200);
    expect(s.seen).toHaveLength(3);
    s.handle((_req, res) => res.writeHead(500).end());
    expect((await withRetries(() => outbound({ url: s.origin }), policy)).status).toBe(500);
    expect(s.seen).toHaveLength(4);
  });
});

describe('outbound over TLS', () => {
  let dir = '';
  let tls: { cert: Buffer; key: Buffer };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kanaria-outbound-'));
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'].concat([
        '-keyout',
        key,
        '-out',
        cert,
      ]),
      { stdio: 'ignore' },
    );
    tls = { cert: readFileSync(cert), key: readFileSync(key) };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a self-signed certificate unless insecureSkipVerify, and an https → http redirect', async () => {
    const plain = await server((_req, res) => res.end('plain'));
    const s = await server(
      (req, res) =>
        req.path === '/down' ? res.writeHead(302, { location: `${plain.origin}/` }).end() : res.end('secure'),
      tls,
    );
    const refused = await failure(outbound({ url: s.origin }));
    expect(refused.code).toBe('EUNREACHABLE');
    expect(refused.message).toMatch(/self[- ]signed/i);
    const ok = await outbound({ url: s.origin, insecureSkipVerify: true });
    expect(ok.body.toString()).toBe('secure');
    const down = await failure(outbound({ url: `${s.origin}/down`, insecureSkipVerify: true }));
    expect(down.code).toBe('EREDIRECT');
    expect(down.message).toBe(
      `redirect from 127.0.0.1:${s.port} to 127.0.0.1:${plain.port} refused: only the same scheme, host and port are followed`,
    );
    expect(plain.seen).toEqual([]);
  });
});
