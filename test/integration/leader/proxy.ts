import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of the API server. `partition()` cuts every open connection and holds
 * new ones open without forwarding a byte, as a network partition between one replica and the API server
 * looks to that replica; `refuse()` cuts every open connection and resets new ones at once, as an API
 * server that is down looks; `heal()` forwards again.
 */
export interface TcpProxy {
  url: string;
  partition(): void;
  refuse(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: URL): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let mode: 'forward' | 'partition' | 'refuse' = 'forward';
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server = createServer((client) => {
    track(client);
    if (mode === 'refuse') return void client.resetAndDestroy();
    if (mode === 'partition') return; // held open, never answered
    const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `${target.protocol}//127.0.0.1:${port}`,
    partition() {
      mode = 'partition';
      for (const s of sockets) s.destroy();
    },
    refuse() {
      mode = 'refuse';
      for (const s of sockets) s.destroy();
    },
    heal() {
      mode = 'forward';
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
