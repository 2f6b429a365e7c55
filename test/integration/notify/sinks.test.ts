import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier, NotifyError, type ProviderConfig } from '../../../src/notify/notifier.ts';
import { sampleAlert } from '../../../src/notify/testing/alerts.ts';
import { startServer, stream } from '../net/server.ts';
import { startReceiver, type Receiver, type Reply } from './receiver.ts';

const SECRET_PATH = '/services/T0KANARIA/B0KANARIA/s3cr3t-token-0123456789abcdef';

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

async function failure(config: ProviderConfig): Promise<NotifyError> {
  const err = await createNotifier(config)
    .post(sampleAlert())
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(NotifyError);
  return err as NotifyError;
}

function expectRedacted(err: NotifyError, r: Receiver): void {
  const everything = JSON.stringify([err.message, err.stack, String(err.cause), (err.cause as Error)?.stack]);
  expect(everything).not.toContain('s3cr3t-token');
  expect(everything).not.toContain(r.origin);
}

describe('slack', () => {
  it('posts a Block Kit message with the alert details', async () => {
    const r = await receiver();
    const alert = sampleAlert();
    await createNotifier({
      type: 'slack',
      address: `${r.origin}${SECRET_PATH}`,
      channel: '#deploys',
      username: 'kanaria',
    }).post(alert);
    const req = await r.next();
    expect(req.method).toBe('POST');
    expect(req.url).toBe(SECRET_PATH);
    expect(req.headers['content-type']).toContain('application/json');
    const body = req.body as { text: string; channel: string; username: string; blocks: unknown[] };
    expect(body).toMatchObject({ channel: '#deploys', username: 'kanaria' });
    expect(body.text).toContain('podinfo.test rolled back');
    expect(body.blocks.length).toBeGreaterThanOrEqual(4);
    const blocks = JSON.stringify(body.blocks);
    for (const text of [
      'podinfo',
      'test',
      'Failed',
      '20%',
      'prod-eu1',
      'failed checks threshold reached 5',
    ]) {
      expect(blocks).toContain(text);
    }
    expect(blocks).toContain('request-success-rate = 97.25: below threshold 99');
  });

  it('fails with a redacted HTTP error on 500', async () => {
    const r = await receiver((req) => ({ status: 500, body: `no route for ${req.url}` }));
    const err = await failure({ type: 'slack', address: `${r.origin}${SECRET_PATH}`, name: 'ops/slack' });
    expect(err.code).toBe('ERR_HTTP');
    expect(err.statusCode).toBe(500);
    expect(err.message).toMatch(/^slack alert for podinfo\.test to provider ops\/slack failed: 500/);
    expectRedacted(err, r);
    expect(r.requests).toHaveLength(1); // no retries
  });

  it('times out on a receiver that never answers', async () => {
    const r = await receiver(() => 'hang');
    const err = await failure({ type: 'slack', address: `${r.origin}${SECRET_PATH}`, timeoutMs: 200 });
    expect(err.code).toBe('ERR_TIMEOUT');
    expectRedacted(err, r);
  });

  it('stops when the caller aborts', async () => {
    const r = await receiver(() => 'hang');
    const notifier = createNotifier({ type: 'slack', address: `${r.origin}${SECRET_PATH}` });
    const err = await notifier.post(sampleAlert(), AbortSignal.timeout(100)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotifyError);
    expect((err as NotifyError).code).toBe('ERR_TIMEOUT');
  });

  it('goes through the configured proxy', async () => {
    const proxy = await receiver();
    await createNotifier({
      type: 'slack',
      address: `http://slack.invalid${SECRET_PATH}`,
      proxy: proxy.origin,
    }).post(sampleAlert());
    const req = await proxy.next();
    expect(req.url).toBe(`http://slack.invalid${SECRET_PATH}`);
    expect((req.body as { blocks: unknown[] }).blocks.length).toBeGreaterThan(0);
  });
});

describe('other providers', () => {
  it('msteams posts an Adaptive Card message', async () => {
    const r = await receiver();
    await createNotifier({ type: 'msteams', address: `${r.origin}/workflows/abc` }).post(sampleAlert());
    const req = await r.next();
    expect(req.url).toBe('/workflows/abc');
    expect(req.body).toMatchObject({
      type: 'message',
      attachments: [
        { contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard' } },
      ],
    });
    expect(JSON.stringify(req.body)).toContain('failed checks threshold reached 5');
  });

  it("discord posts Slack-style attachments to the webhook's /slack endpoint", async () => {
    const r = await receiver();
    await createNotifier({ type: 'discord', address: `${r.origin}/api/webhooks/1/tok?wait=true` }).post(
      sampleAlert(),
    );
    const req = await r.next();
    expect(req.url).toBe('/api/webhooks/1/tok/slack?wait=true');
    expect(req.body).toMatchObject({ attachments: [{ author_name: 'podinfo.test', color: '#a30200' }] });
  });

  it('googlechat posts a cardsV2 message', async () => {
    const r = await receiver();
    await createNotifier({
      type: 'googlechat',
      address: `${r.origin}/v1/spaces/X/messages?key=k&token=t`,
    }).post(sampleAlert());
    const req = await r.next();
    expect(req.url).toBe('/v1/spaces/X/messages?key=k&token=t');
    expect(req.body).toMatchObject({ cardsV2: [{ card: { header: { title: 'podinfo.test' } } }] });
  });

  it('webhook posts the alert itself as JSON', async () => {
    const r = await receiver();
    const alert = sampleAlert({ kind: 'promoted', severity: 'info', measurements: undefined });
    await createNotifier({ type: 'webhook', address: `${r.origin}/hook` }).post(alert);
    const req = await r.next();
    expect(req.headers['content-type']).toContain('application/json');
    expect(req.body).toEqual(alert);
  });

  it('webhook goes through the configured proxy', async () => {
    const proxy = await receiver();
    await createNotifier({ type: 'webhook', address: 'http://hooks.invalid/x', proxy: proxy.origin }).post(
      sampleAlert(),
    );
    expect((await proxy.next()).url).toBe('http://hooks.invalid/x');
  });

  it.each(['msteams', 'discord', 'googlechat', 'webhook'] as const)(
    '%s fails once with a redacted error on 500',
    async (type) => {
      const r = await receiver((req) => ({ status: 500, body: `cannot handle http://127.0.0.1${req.url}` }));
      const err = await failure({ type, address: `${r.origin}${SECRET_PATH}`, name: `ops/${type}` });
      expect(err.code).toBe('ERR_HTTP');
      expect(err.statusCode).toBe(500);
      expect(err.message).toMatch(
        new RegExp(`^${type} alert for podinfo\\.test to provider ops/${type} failed: 500`),
      );
      expectRedacted(err, r);
      expect(r.requests).toHaveLength(1);
    },
  );

  it('times out on a receiver that never answers', async () => {
    const r = await receiver(() => 'hang');
    const err = await failure({ type: 'webhook', address: `${r.origin}${SECRET_PATH}`, timeoutMs: 200 });
    expect(err.code).toBe('ERR_TIMEOUT');
    expectRedacted(err, r);
  });

  it('reports a refused connection as a network error', async () => {
    const r = await receiver();
    const address = `${r.origin}${SECRET_PATH}`;
    await r.close();
    receivers = [];
    for (const type of ['webhook', 'slack'] as const) {
      const err = await failure({ type, address });
      expect(err.code).toBe('ERR_NETWORK');
      expect(err.message).toContain('ECONNREFUSED');
      expectRedacted(err, r);
    }
  });
});

describe('answers are bounded', () => {
  it.each(['slack', 'webhook'] as const)(
    '%s: a body over the cap, a redirect and an error body with secrets fail cleanly',
    async (type) => {
      const other = await startServer((_req, res) => res.end('ok'));
      const s = await startServer((req, res) => {
        if (req.path.startsWith('/big')) {
          res.writeHead(200);
          void stream(res, Buffer.alloc(64 * 1024, 'x'), 20 * 2 ** 20);
        } else if (req.path.startsWith('/away')) {
          res.writeHead(302, { location: `${other.origin}/collect` }).end();
        } else {
          res.writeHead(400, 'Bad Request');
          res.end(`invalid_token\n\x1b[1mBearer xoxb-0123456789-abcdef\x1b[0m for ${req.path}`);
        }
      });
      try {
        const big = await failure({ type, address: `${s.origin}/big${SECRET_PATH}`, timeoutMs: 5_000 });
        expect(big.code).toBe('ERR_HTTP');
        expect(big.statusCode).toBe(200);
        expect(big.message).toMatch(/failed: 200: response body larger than 1 MiB$/);
        const away = await failure({ type, address: `${s.origin}/away${SECRET_PATH}` });
        expect(away.code).toBe('ERR_HTTP');
        expect(away.statusCode).toBe(302);
        expect(other.seen).toEqual([]);
        const bad = await failure({ type, address: `${s.origin}/bad${SECRET_PATH}` });
        expect(bad.message).toMatch(
          /failed: 400 Bad Request: invalid_token Bearer \[redacted\] for \[redacted\]$/,
        );
        expect(bad.message).not.toContain('s3cr3t-token');
      } finally {
        await Promise.all([s.close(), other.close()]);
      }
    },
  );
});
