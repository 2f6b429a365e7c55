// A controller under measurement runs as its own process; its output goes to a log file.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(fileURLToPath(import.meta.url), '../..');
const live = new Set<ChildProcess>();

export interface Proc {
  pid: number;
  startedAt: number;
  exited: () => boolean;
  /** SIGTERM (SIGKILL after 10 s), or SIGKILL at once. */
  stop: (signal?: 'SIGTERM' | 'SIGKILL') => Promise<void>;
}

export function startProcess(cmd: string, args: string[], logPath: string): Proc {
  const fd = openSync(logPath, 'a');
  const child = spawn(cmd, args, { cwd: REPO, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  if (!child.pid) throw new Error(`could not start ${cmd}`);
  live.add(child);
  let exited = false;
  const done = new Promise<void>((r) =>
    child.on('exit', () => {
      exited = true;
      live.delete(child);
      r();
    }),
  );
  return {
    pid: child.pid,
    startedAt: Date.now(),
    exited: () => exited,
    stop: async (signal = 'SIGTERM') => {
      if (exited) return;
      child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(t);
    },
  };
}

/**
 * How bin/kanaria.js will run the controller now: compiled while dist/ is current (built, and no source
 * file changed since the build started: the same test bin/kanaria.js makes), else the TypeScript sources.
 */
export function kanariaRuntime(root = REPO): 'compiled (dist/)' | 'TypeScript sources' {
  const built = statSync(join(root, 'dist/.build-started'), { throwIfNoEntry: false });
  if (!built || !statSync(join(root, 'dist/main.js'), { throwIfNoEntry: false })) return 'TypeScript sources';
  const src = join(root, 'src');
  const stale = readdirSync(src, { recursive: true, encoding: 'utf8' }).some(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && statSync(join(src, f)).mtimeMs > built.mtimeMs,
  );
  return stale ? 'TypeScript sources' : 'compiled (dist/)';
}

/** The Kanaria controller as the README runs it, with this Node; all namespaces without `namespace`. */
export function kanariaCommand(
  kubeconfig: string,
  namespace?: string,
  extra: string[] = [],
): [string, string[]] {
  return [
    process.execPath,
    [
      'bin/kanaria.js',
      'controller',
      '--kubeconfig',
      kubeconfig,
      '--log-level',
      'warn',
      ...(namespace ? ['--namespace', namespace] : []),
      ...extra,
    ],
  ];
}

/** Kills every process started here (for Ctrl-C). */
export function killAll(): void {
  for (const c of live) c.kill('SIGKILL');
}
