import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBehaviour } from './behaviour.ts';
import { cookieNames, MAX_NAMES, podHandler } from './pod-process.ts';

describe('pod process counters', () => {
  const pod = podHandler(
    {
      ip: '127.0.0.1',
      ports: [0],
      pod: 'podinfo-abc',
      namespace: 'ns',
      image: 'podinfo:6.0.1',
      version: '6.0.1',
    },
    parseBehaviour({}),
  );
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer(pod.handle);
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('counts requests by the header and cookie names they carry, probes not at all', async () => {
    await fetch(`${url}/`, {
      headers: { 'X-Forwarded-For': '10.0.0.1', cookie: 'canary=always; theme=dark' },
    });
    await fetch(`${url}/`, { headers: { 'x-canary': 'insider', 'x-forwarded-for': '10.0.0.1' } });
    await fetch(`${url}/counters`, { headers: { 'x-canary': 'insider' } });
    expect(pod.counters.requests).toBe(2);
    expect(pod.counters.headerNames['x-forwarded-for']).toBe(2);
    expect(pod.counters.headerNames['x-canary']).toBe(1);
    expect(pod.counters.cookieNames).toEqual({ canary: 1, theme: 1 });
  });

  it(`tallies at most ${MAX_NAMES} distinct names`, async () => {
    for (let i = 0; i < MAX_NAMES + 5; i++) await fetch(`${url}/`, { headers: { [`x-n${i}`]: '1' } });
    expect(Object.keys(pod.counters.headerNames)).toHaveLength(MAX_NAMES);
  });

  it('parses cookie names', () => {
    expect([...cookieNames(' a=1;b=2 ; a=3; ;c')]).toEqual(['a', 'b', 'c']);
    expect(cookieNames(undefined).size).toBe(0);
  });
});
