/**
 * The listening sockets of a SIMULATED pod, opened by the pod runner before it starts the pod's process
 * and handed to that process over IPC.
 *
 * KWOK reports a pod Ready as soon as it has an IP, and a Service may list it at once; a process needs a
 * few hundred milliseconds to start. Opened by the runner the moment it sees the pod, the sockets queue
 * the connections that arrive meanwhile (the kernel's accept backlog), so the pod's process answers them
 * once it has started instead of the client's connection being refused: like a kubelet whose readiness
 * probe passes only once the container listens.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';

/** Messages between the runner and a pod process about its sockets. */
export type SocketMessage = { awaitingSockets: true } | { listen: number } | { connection: number };

/** Why listening on `ip:port` failed, with the fix when the address is not local. */
function listenFailure(ip: string, port: number, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const hint =
    code === 'EADDRNOTAVAIL'
      ? ` (${ip} is not a local address here: run inside hack/in-netns.sh's network namespace)`
      : '';
  return `cannot listen on ${ip}:${port}: ${code ?? (err as Error).message}${hint}`;
}

async function listenOn(ip: string, port: number): Promise<Server> {
  // Paused: a connection the runner accepts is passed on with no byte of the request read here.
  const server = createServer({ pauseOnConnect: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: ip, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** Opens a listening socket on each port of the pod's IP; closes those opened when one fails. */
export async function listenOnPod(ip: string, ports: readonly number[]): Promise<Server[]> {
  const servers: Server[] = [];
  for (const port of ports) {
    try {
      servers.push(await listenOn(ip, port));
    } catch (err) {
      for (const server of servers) server.close();
      throw new Error(listenFailure(ip, port, err), { cause: err });
    }
  }
  return servers;
}

/** The runner's listening sockets of one pod until its process takes them. */
export interface HeldSockets {
  /**
   * Sends every socket, and the connections accepted while holding them, to the pod's process (once it
   * asks, with `{ awaitingSockets: true }`); the runner's own copies close once sent.
   */
  handTo(child: ChildProcess): void;
  /** Closes the sockets not handed off, and the connections held (after a failed start). */
  close(): void;
}

/** Holds the listening sockets; connections accepted before the hand-off wait with them. */
export function holdSockets(servers: readonly Server[], ports: readonly number[]): HeldSockets {
  let child: ChildProcess | undefined;
  const waiting: { port: number; socket: Socket }[] = [];
  const forward = (port: number, socket: Socket) => {
    if (child?.connected) child.send({ connection: port } satisfies SocketMessage, socket);
    else socket.destroy();
  };
  servers.forEach((server, i) =>
    server.on('connection', (socket: Socket) => {
      if (child) forward(ports[i], socket);
      else waiting.push({ port: ports[i], socket });
    }),
  );
  return {
    handTo(to) {
      if (child) return;
      child = to;
      servers.forEach((server, i) => {
        if (!to.connected) return void server.close();
        to.send({ listen: ports[i] } satisfies SocketMessage, server, () => server.close());
      });
      for (const { port, socket } of waiting.splice(0)) forward(port, socket);
    },
    close() {
      for (const server of servers) if (server.listening) server.close();
      for (const { socket } of waiting.splice(0)) socket.destroy();
    },
  };
}

/**
 * In the pod's process: waits for the runner's socket for every port, and from then on calls
 * `onConnection` for every connection on any of them (the runner's forwarded ones included).
 */
export async function receiveSockets(
  ports: readonly number[],
  onConnection: (port: number, socket: Socket) => void,
): Promise<Server[]> {
  const received = new Map<number, Server>();
  const { promise, resolve } = Promise.withResolvers<void>();
  process.on('message', (message: SocketMessage, handle: Server | Socket | undefined) => {
    if (handle === undefined || typeof message !== 'object' || message === null) return;
    if ('listen' in message) {
      const server = handle as Server;
      server.on('connection', (socket: Socket) => onConnection(message.listen, socket));
      received.set(message.listen, server);
      if (ports.every((port) => received.has(port))) resolve();
    } else if ('connection' in message) onConnection(message.connection, handle as Socket);
  });
  // Asked for only now: a message that arrived before this process listened for it would be lost.
  process.send?.({ awaitingSockets: true } satisfies SocketMessage);
  await promise;
  return ports.map((port) => received.get(port)!);
}
