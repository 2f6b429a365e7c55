import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMetricCheck } from './evaluate.ts';
import { createProvider } from './provider.ts';

describe('metric checks and their AbortSignal', () => {
  /** A real HTTP server on 127.0.0.1 that reads every request and never answers it. */
  let server: Server;
  let address = '';
  const held: ServerResponse[] = [];
  let received = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      received++;
      req.resume();
      held.push(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const res of held) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const check = (signal?: AbortSignal, timeoutMs = 60_000) =>
    runMetricCheck({
      metric: { name: 'request-success-rate', thresholdRange: { min: 99 } },
      canary: { name: 'podinfo', namespace: 'test', target: 'podinfo' },
      provider: createProvider({ type: 'prometheus', address, timeoutMs }, { now: Date.now }),
      signal,
    });

  it('without a signal, a provider that never answers is a failed check after the timeout', async () => {
    const result = await check(undefined, 300);
    expect(result).toMatchObject({ ok: false, code: 'ETIMEOUT' });
  });

  it('an aborted query ends at once and is no result: it rejects with the reason, never a failed check', async () => {
    const before = received;
    const controller = new AbortController();
    const run = check(controller.signal);
    const deadline = Date.now() + 5_000;
    while (received === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(received).toBe(before + 1);
    const reason = new Error('stopped leading');
    const abortedAt = performance.now();
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
    expect(performance.now() - abortedAt).toBeLessThan(200);
  });

  it('isOnline takes the signal too', async () => {
    const controller = new AbortController();
    const provider = createProvider({ type: 'prometheus', address }, { now: Date.now });
    const online = provider.isOnline(controller.signal);
    setTimeout(() => controller.abort(new Error('stopping')), 50);
    await expect(online).rejects.toMatchObject({ code: 'ETIMEOUT', message: 'prometheus query was aborted' });
  });
});
