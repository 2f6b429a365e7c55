import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyBody, responseUrlAllowed, sendReply } from './respond.ts';

describe('answers through response_url', () => {
  const received: string[] = [];
  let origin = '';
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += String(c)));
    req.on('end', () => {
      received.push(body);
      if (req.url === '/redirect') res.writeHead(302, { location: 'http://127.0.0.2/' }).end();
      else res.writeHead(200).end('ok');
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('goes only to the allowed origins: hooks.slack.com by default', () => {
    expect(responseUrlAllowed('https://hooks.slack.com/actions/T1/2/x', ['https://hooks.slack.com'])).toBe(
      true,
    );
    expect(responseUrlAllowed('https://hooks.slack.com.evil.example/x', ['https://hooks.slack.com'])).toBe(
      false,
    );
    expect(responseUrlAllowed('http://hooks.slack.com/x', ['https://hooks.slack.com'])).toBe(false);
    expect(responseUrlAllowed('http://169.254.169.254/latest', ['https://hooks.slack.com'])).toBe(false);
    expect(responseUrlAllowed('file:///etc/passwd', ['https://hooks.slack.com'])).toBe(false);
  });

  it('posts a threaded in-channel message that keeps the original', async () => {
    await sendReply(`${origin}/actions/1`, { text: 'approved', threadTs: '1.2' }, [origin]);
    expect(JSON.parse(received.at(-1)!)).toEqual({
      response_type: 'in_channel',
      replace_original: false,
      text: 'approved',
      thread_ts: '1.2',
    });
    expect(JSON.parse(replyBody({ text: 'no', ephemeral: true, threadTs: '1.2' }))).toEqual({
      response_type: 'ephemeral',
      replace_original: false,
      text: 'no',
    });
  });

  it('refuses an origin not allowed before sending anything, and does not follow redirects', async () => {
    const before = received.length;
    await expect(sendReply(`${origin}/actions/1`, { text: 'x' })).rejects.toThrow(/is not allowed/);
    expect(received.length).toBe(before);
    await expect(sendReply(`${origin}/redirect`, { text: 'x' }, [origin])).rejects.toThrow(/answered 302/);
  });
});
