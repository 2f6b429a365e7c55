/**
 * Where `kanaria demo` runs its real data plane: inside the private network namespace of
 * hack/in-netns.sh, where the pod CIDR is local so the pod runner's processes listen on pod IPs. The
 * command re-runs itself there (root, `unshare` and `ip` needed); the namespace and everything in it end
 * with it.
 */
import { spawn } from 'node:child_process';
import { access, constants, readFile } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const IN_NETNS = resolve(fileURLToPath(import.meta.url), '../../../hack/in-netns.sh');

export const REAL_PROXY_HOW =
  'run it as root (e.g. `sudo -E npm run demo`) on a machine with `unshare` (util-linux) and `ip` (iproute2)';

async function onPath(command: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      await access(join(dir, command), constants.X_OK);
      return true;
    } catch {
      /* not here */
    }
  }
  return false;
}

/** Why no network namespace can be made here, or undefined when one can. */
export async function netnsProblem(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'it does not run as root (a network namespace takes CAP_SYS_ADMIN)';
  if (!(await onPath('unshare', env)))
    return 'the unshare command is missing (Debian: apt-get install util-linux)';
  if (!(await onPath('ip', env))) return 'the ip command is missing (Debian: apt-get install iproute2)';
  return undefined;
}

/**
 * Runs this same command (node, script and arguments) inside hack/in-netns.sh and resolves with its exit
 * status. The script runs in its own process group, so a Ctrl-C on the terminal reaches it once, passed
 * on from here; it ends the namespace when the command ends (or 20 s after a TERM).
 */
export function rerunInNetns(): Promise<number> {
  const child = spawn('bash', [IN_NETNS, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    detached: true,
  });
  const forward = (signal: NodeJS.Signals) => () => {
    if (child.exitCode === null) child.kill(signal);
  };
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, forward(s)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  const orphaned = () => forward('SIGTERM')();
  process.once('exit', orphaned);
  return new Promise((resolvePromise) => {
    child.once('error', (err) => {
      process.stderr.write(`cannot run ${IN_NETNS}: ${err.message}\n`);
      resolvePromise(2);
    });
    child.once('exit', (code, signal) => {
      for (const [name, handler] of handlers) process.off(name, handler);
      process.off('exit', orphaned);
      resolvePromise(code ?? (signal ? 130 : 1));
    });
  });
}

/** Inside hack/in-netns.sh: the host's id of a process in this namespace, for `nsenter --net`. */
export async function netnsHostPid(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (!env.KANARIA_NETNS_PID_FILE) return undefined;
  const pid = (await readFile(env.KANARIA_NETNS_PID_FILE, 'utf8').catch(() => '')).trim();
  return /^\d+$/.test(pid) ? pid : undefined;
}
