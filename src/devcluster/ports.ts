import { createServer } from 'node:net';

/** Resolves when 127.0.0.1:port can be bound, rejects with the reason otherwise. */
export function checkPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve()));
  });
}

export async function isPortFree(port: number): Promise<boolean> {
  try {
    await checkPortFree(port);
    return true;
  } catch {
    return false;
  }
}

/** Lists the listening TCP ports (IPv4 and IPv6) of this machine, read from /proc. */
export async function listeningPorts(): Promise<Set<number>> {
  const { readFile } = await import('node:fs/promises');
  const ports = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== '0A') continue; // 0A = LISTEN
      ports.add(parseInt(cols[1].split(':')[1], 16));
    }
  }
  return ports;
}

/** A port on 127.0.0.1 that was free a moment ago (the OS picked it), for a server started next. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
