import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { POD_PROCESS_SCRIPT } from './runner.ts';
import { holdSockets, listenOnPod } from './pod-sockets.ts';

describe('pod sockets handed from the runner to the pod process', () => {
  it('answers a request sent before the process had started instead of refusing it', async () => {
    const servers = await listenOnPod('127.0.0.1', [0]);
    const port = (servers[0].address() as AddressInfo).port;
    const held = holdSockets(servers, [port]);
    // Sent while no process exists yet: it waits in the runner's socket.
    const early = fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(20_000) });
    const config = {
      ip: '127.0.0.1',
      ports: [port],
      pod: 'podinfo-early',
      namespace: 'ns',
      image: 'podinfo:6.0.1',
      version: '6.0.1',
      socketsFromRunner: true,
    };
    const child = spawn(process.execPath, [POD_PROCESS_SCRIPT, JSON.stringify(config)], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      child.on('message', (message: { awaitingSockets?: boolean }) => {
        if (message?.awaitingSockets) held.handTo(child);
      });
      const res = await early;
      expect(res.status).toBe(200);
      expect(res.headers.get('x-pod-name')).toBe('podinfo-early');
      // The runner no longer listens itself: later requests reach the process too.
      expect(servers[0].listening).toBe(false);
      const later = await fetch(`http://127.0.0.1:${port}/version`);
      expect(await later.json()).toMatchObject({ version: '6.0.1' });
    } finally {
      child.kill('SIGTERM');
      await exited;
      held.close();
    }
  }, 30_000);

  it('names the address and the fix when the pod IP is not local', async () => {
    await expect(listenOnPod('198.18.255.254', [9898])).rejects.toThrow(
      /cannot listen on 198\.18\.255\.254:9898: EADDRNOTAVAIL \(.*hack\/in-netns\.sh/,
    );
  });
});
