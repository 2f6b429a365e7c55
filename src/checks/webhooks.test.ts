import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanaryWebhook } from '../api/types.ts';
import { callHook, runHooks } from './webhooks.ts';

const payload = { name: 'podinfo', namespace: 'test', phase: 'Progressing', checksum: 'abc' };

describe('webhook calls and their AbortSignal', () => {
  /** A real HTTP server on 127.0.0.1 that reads every request and never answers it. */
  let server: Server;
  let url = '';
  const held: ServerResponse[] = [];
  let received = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      received++;
      req.resume();
      held.push(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const res of held) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const hook = (name: string, extra: Partial<CanaryWebhook> = {}): CanaryWebhook => ({
    name,
    url: `${url}/${name}`,
    timeout: '60s',
    ...extra,
  });

  /** Waits until the server has received `n` requests in all. */
  async function requestsReceived(n: number): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (received < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(received).toBeGreaterThanOrEqual(n);
  }

  it('without a signal, a hook that never answers is a failed check after its own timeout', async () => {
    const result = await callHook(hook('slow', { timeout: '300ms' }), payload);
    expect(result).toMatchObject({ ok: false, message: 'webhook slow failed: timed out after 0.3s' });
  });

  it('callHook ends at once when its signal aborts, rejecting with the reason instead of failing the check', async () => {
    const before = received;
    const controller = new AbortController();
    const call = callHook(hook('held'), payload, controller.signal);
    await requestsReceived(before + 1); // the request is in flight, the server holds it
    const reason = new Error('stopped leading');
    const abortedAt = performance.now();
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(performance.now() - abortedAt).toBeLessThan(200);
  });

  it('runHooks passes its signal to every hook of the type and rejects as soon as it aborts', async () => {
    const before = received;
    const controller = new AbortController();
    const hooks = [hook('a'), hook('b', { retries: 3 }), hook('event', { type: 'event' })];
    const settled: string[] = [];
    const run = runHooks(hooks, 'rollout', payload, controller.signal).then(
      () => settled.push('resolved'),
      (err: unknown) => settled.push(`rejected: ${(err as Error).message}`),
    );
    await requestsReceived(before + 2); // both rollout hooks are in flight, the event hook is not called
    await new Promise((r) => setTimeout(r, 100));
    expect(settled).toEqual([]);
    const abortedAt = performance.now();
    controller.abort(new Error('the controller is stopping'));
    await run;
    expect(performance.now() - abortedAt).toBeLessThan(200);
    expect(settled).toEqual(['rejected: the controller is stopping']);
    // No retry after the abort: nothing more reaches the server.
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toBe(before + 2);
  });

  it('an already aborted signal sends nothing and never yields a result', async () => {
    const before = received;
    const controller = new AbortController();
    controller.abort(new Error('not the leader any more'));
    await expect(callHook(hook('never'), payload, controller.signal)).rejects.toThrow(
      'not the leader any more',
    );
    await expect(runHooks([hook('never')], 'rollout', payload, controller.signal)).rejects.toThrow(
      'not the leader any more',
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toBe(before);
  });
});
