import { afterEach, describe, expect, it } from 'vitest';
import { AlertDispatcher } from '../../../src/notify/dispatch.ts';
import { createNotifier, type NotifyError, type ProviderType } from '../../../src/notify/notifier.ts';
import { sampleAlert } from '../../../src/notify/testing/alerts.ts';
import { startReceiver, type Receiver, type Reply } from './receiver.ts';

const SECRET_PATH = '/hooks/T0KANARIA/B0KANARIA/s3cr3t-token-0123456789abcdef';

let receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  receivers = [];
});

async function receiver(reply?: (req: { url: string }) => Reply): Promise<Receiver> {
  const r = await startReceiver(reply);
  receivers.push(r);
  return r;
}

function collect(): { errors: NotifyError[]; onError: (err: NotifyError) => void } {
  const errors: NotifyError[] = [];
  return { errors, onError: (err) => errors.push(err) };
}

/** Runs `send` and returns how long it took, in milliseconds. */
function timed(send: () => void): number {
  const start = performance.now();
  send();
  return performance.now() - start;
}

describe('AlertDispatcher with real sinks', () => {
  it('delivers to every provider whose threshold the alert meets', async () => {
    const r = await receiver();
    const types: ProviderType[] = ['slack', 'msteams', 'discord', 'googlechat', 'webhook'];
    const { errors, onError } = collect();
    const d = new AlertDispatcher({
      targets: [
        ...types.map((type) => ({ notifier: createNotifier({ type, address: `${r.origin}/${type}` }) })),
        {
          notifier: createNotifier({ type: 'webhook', address: `${r.origin}/errors-only` }),
          minSeverity: 'error',
        },
      ],
      onError,
    });
    d.send(sampleAlert({ severity: 'warn' }));
    await d.idle();
    expect(errors).toEqual([]);
    expect(r.requests.map((q) => q.url).sort()).toEqual(
      ['/discord/slack', '/googlechat', '/msteams', '/slack', '/webhook'].sort(),
    );
    const slack = r.requests.find((q) => q.url === '/slack');
    expect(JSON.stringify((slack?.body as { blocks: unknown }).blocks)).toContain('podinfo');
  });

  it('reports a 500 as a redacted error, and send returns at once', async () => {
    const r = await receiver((req) => ({ status: 500, body: `no handler for http://127.0.0.1${req.url}` }));
    const { errors, onError } = collect();
    const d = new AlertDispatcher({
      targets: [
        {
          notifier: createNotifier({
            type: 'slack',
            address: `${r.origin}${SECRET_PATH}`,
            name: 'ops/slack',
          }),
        },
        {
          notifier: createNotifier({
            type: 'webhook',
            address: `${r.origin}${SECRET_PATH}`,
            name: 'ops/hook',
          }),
        },
      ],
      onError,
    });
    const took = timed(() => d.send(sampleAlert()));
    expect(took).toBeLessThan(100);
    expect(r.requests).toHaveLength(0);
    await d.idle();
    expect(errors.map((e) => [e.code, e.statusCode])).toEqual([
      ['ERR_HTTP', 500],
      ['ERR_HTTP', 500],
    ]);
    expect(errors.map((e) => e.message).sort()).toEqual([
      expect.stringMatching(/^slack alert for podinfo\.test to provider ops\/slack failed: 500/),
      expect.stringMatching(/^webhook alert for podinfo\.test to provider ops\/hook failed: 500/),
    ]);
    for (const e of errors) {
      const text = JSON.stringify([
        e.message,
        e.stack,
        String(e.cause),
        (e.cause as Error | undefined)?.stack,
      ]);
      expect(text).not.toContain('s3cr3t-token');
      expect(text).not.toContain(r.origin);
    }
    expect(d.stats()).toMatchObject({ failed: 2, delivered: 0 });
  });

  it('gives up on a receiver that never answers, and send returns at once', async () => {
    const r = await receiver(() => 'hang');
    const { errors, onError } = collect();
    const d = new AlertDispatcher({
      targets: [
        { notifier: createNotifier({ type: 'slack', address: `${r.origin}${SECRET_PATH}` }) },
        { notifier: createNotifier({ type: 'msteams', address: `${r.origin}${SECRET_PATH}` }) },
      ],
      timeoutMs: 300,
      onError,
    });
    const took = timed(() => d.send(sampleAlert()));
    expect(took).toBeLessThan(100);
    expect(d.stats().inFlight).toBe(2);
    const start = performance.now();
    await d.idle();
    expect(performance.now() - start).toBeLessThan(5_000);
    expect(errors.map((e) => e.code)).toEqual(['ERR_TIMEOUT', 'ERR_TIMEOUT']);
    // The sinks honour the dispatcher's signal, so their own (provider-specific) errors arrive.
    expect(errors.map((e) => e.message).sort()).toEqual([
      'msteams alert for podinfo.test failed: timed out',
      'slack alert for podinfo.test failed: timed out',
    ]);
    for (const e of errors) {
      expect(e.message).not.toContain('s3cr3t-token');
      expect(e.message).not.toContain(r.origin);
    }
    expect(r.requests).toHaveLength(2);
  });

  it('keeps the number of open requests bounded', async () => {
    const r = await receiver(() => 'hang');
    const { errors, onError } = collect();
    const d = new AlertDispatcher({
      targets: [{ notifier: createNotifier({ type: 'webhook', address: `${r.origin}/slow` }) }],
      maxInFlight: 3,
      timeoutMs: 300,
      onError,
    });
    for (let i = 0; i < 10; i++) d.send(sampleAlert({ weight: i * 10 }));
    expect(d.stats()).toMatchObject({ inFlight: 3, dropped: 7 });
    await d.idle();
    expect(r.requests).toHaveLength(3);
    expect(errors.filter((e) => e.code === 'ERR_DROPPED')).toHaveLength(7);
  });
});
