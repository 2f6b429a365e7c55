/**
 * Starts one pod's process with the sockets the runner holds for it, and waits until it listens; stops
 * one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { finalCounters, type ProcessCounters } from './counters.ts';
import type { PodProcessConfig } from './pod-process.ts';
import type { HeldSockets } from './pod-sockets.ts';
import type { PodTarget } from './pod-spec.ts';

// pod-process.js next to launch.js when running the compiled output (dist/).
export const POD_PROCESS_SCRIPT = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? './pod-process.ts' : './pod-process.js', import.meta.url),
);

const STDERR_TAIL = 2_000;

export interface LaunchInput {
  target: PodTarget;
  env: Record<string, string>;
  held: HeldSockets;
  nodeBinary: string;
  /** A module preloaded before pod-process.ts (the runner's compile-cache switch). */
  bootstrap: string;
  startTimeoutMs: number;
  /** Called once the process has closed, with the counters it sent before it ended, if any. */
  onClosed: (pid: number | undefined, final: ProcessCounters['counters'] | undefined) => void;
}

export interface Launch {
  child: ChildProcess;
  /** Resolves once the process has closed (after onClosed). */
  exited: Promise<void>;
  /** Resolves when it listens, or why it did not (it may still have to be killed). */
  listening: Promise<{ ok: true } | { ok: false; reason: string }>;
  /** The last 2,000 characters it wrote to stderr, trimmed. */
  stderr: () => string;
}

/**
 * A module to preload before pod-process.ts that turns Node's compile cache on in `cacheDir`, without an
 * env variable in the pod's env.
 */
export function compileCacheBootstrap(cacheDir: string): string {
  return (
    'data:text/javascript,' +
    encodeURIComponent(
      `import { enableCompileCache } from 'node:module'; enableCompileCache(${JSON.stringify(cacheDir)});`,
    )
  );
}

export function launchPodProcess(input: LaunchInput): Launch {
  const { target, held } = input;
  const config: PodProcessConfig = {
    ip: target.ip,
    ports: target.ports,
    pod: target.name,
    namespace: target.namespace,
    image: target.image,
    version: target.version,
    socketsFromRunner: true,
  };
  const child = spawn(
    input.nodeBinary,
    ['--import', input.bootstrap, POD_PROCESS_SCRIPT, JSON.stringify(config)],
    {
      env: input.env,
      // Its own process group: a Ctrl-C meant for the runner reaches the processes only through stop().
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    },
  );
  child.on('message', (message: { awaitingSockets?: boolean }) => {
    if (message?.awaitingSockets) held.handTo(child);
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL);
  });
  let final: ProcessCounters['counters'] | undefined;
  child.on('message', (message) => (final = finalCounters(message) ?? final));
  const exited = new Promise<void>((resolve) =>
    child.once('close', () => {
      input.onClosed(child.pid, final);
      resolve();
    }),
  );
  const listening = new Promise<{ ok: true } | { ok: false; reason: string }>((resolve) => {
    const timer = setTimeout(
      () => resolve({ ok: false, reason: `not listening after ${input.startTimeoutMs} ms` }),
      input.startTimeoutMs,
    );
    const onListening = (message: { listening?: string[] }) => {
      if (!message?.listening) return;
      child.off('message', onListening);
      clearTimeout(timer);
      resolve({ ok: true });
    };
    child.on('message', onListening);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: err.message });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: `exited (${signal ?? `code ${code}`})` });
    });
  });
  return { child, exited, listening, stderr: () => stderr.trim() };
}

/** Whether the process has not exited yet. */
export function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** SIGTERM, then SIGKILL if it has not exited within `timeoutMs`; resolves once it has closed. */
export async function terminate(
  child: ChildProcess,
  exited: Promise<void>,
  timeoutMs: number,
): Promise<void> {
  if (!alive(child)) return exited;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (killed) child.kill('SIGKILL');
  await exited;
}
