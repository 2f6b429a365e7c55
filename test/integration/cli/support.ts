import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { statusCode, type Kube } from '../../../src/kube/client.ts';
import { setImage } from '../fixtures.ts';
import { kubeconfigPath } from '../helpers.ts';

export const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');
const BIN = resolve(REPO, 'bin/kanaria.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<CliResult>;
}

/** Starts the real command line (`node bin/kanaria.js …`) against the test cluster. */
export function spawnCli(args: string[], opts: { kubeconfig?: boolean } = {}): RunningCli {
  const full = opts.kubeconfig === false ? args : [...args, '--kubeconfig', kubeconfigPath()];
  const child = spawn(process.execPath, [BIN, ...full], {
    cwd: REPO,
    env: { ...process.env, KUBECONFIG: '', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = new Promise<CliResult>((res) => child.on('close', (code) => res({ code, stdout, stderr })));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Runs a command to its end; kills it after `timeoutMs`. */
export async function runCli(
  args: string[],
  opts: { kubeconfig?: boolean; timeoutMs?: number } = {},
): Promise<CliResult> {
  const running = spawnCli(args, opts);
  const timer = setTimeout(() => running.child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  try {
    return await running.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** setImage, retried while the controller's own writes (scaling) make it conflict. */
export async function changeImage(
  kube: Kube,
  namespace: string,
  tag: string,
  name = 'podinfo',
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await setImage(kube, namespace, tag, name);
    } catch (err) {
      if (statusCode(err) !== 409 || attempt >= 10) throw err;
    }
  }
}
