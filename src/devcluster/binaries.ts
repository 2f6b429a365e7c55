import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const KUBE_VERSION = '1.35.4';
export const COMPONENTS = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
] as const;
export type Component = (typeof COMPONENTS)[number];
export type Tool = Component | 'helm' | 'kubeconform' | 'prometheus' | 'traefik';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const buildScript = join(repoRoot, 'hack', 'build-binaries.sh');

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.KANARIA_CACHE_DIR ?? join(homedir(), '.cache', 'kanaria');
}

export function cacheBinDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), `k8s-${KUBE_VERSION}`, 'bin');
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where to look for a binary, in order: $KUBEBUILDER_ASSETS, the build cache, then $PATH. */
export function searchDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs: string[] = [];
  if (env.KUBEBUILDER_ASSETS) dirs.push(env.KUBEBUILDER_ASSETS);
  dirs.push(cacheBinDir(env));
  for (const d of (env.PATH ?? '').split(delimiter)) if (d) dirs.push(d);
  return dirs;
}

export async function findBinary(
  name: Tool,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  for (const dir of searchDirs(env)) {
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export class BinaryBuildError extends Error {
  readonly code = 'EBUILD';
}

/**
 * Resolves every binary, building the missing ones from their Go modules into the cache.
 * The build script reports a missing Go toolchain or a failed build with the log's tail.
 */
export async function ensureBinaries<T extends Tool>(
  names: readonly T[],
  env: NodeJS.ProcessEnv = process.env,
  onLog: (line: string) => void = (l) => process.stderr.write(l),
): Promise<Record<T, string>> {
  const found = {} as Record<T, string>;
  const missing: T[] = [];
  for (const name of names) {
    const path = await findBinary(name, env);
    if (path) found[name] = path;
    else missing.push(name);
  }
  if (missing.length === 0) return found;
  await runBuild(missing, env, onLog);
  for (const name of missing) {
    const path = join(cacheBinDir(env), name);
    if (!(await isExecutable(path)))
      throw new BinaryBuildError(`${name} was not built into ${cacheBinDir(env)}`);
    found[name] = path;
  }
  return found;
}

function runBuild(
  names: readonly string[],
  env: NodeJS.ProcessEnv,
  onLog: (line: string) => void,
): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [buildScript, ...names], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      onLog(chunk.toString());
    });
    child.on('error', (err) =>
      reject(new BinaryBuildError(`cannot run ${buildScript}: ${err.message}`, { cause: err })),
    );
    child.on('exit', (code) => {
      if (code === 0) resolvePromise();
      else
        reject(
          new BinaryBuildError(
            `building ${names.join(', ')} failed (exit ${code}):\n${stderr.trim().split('\n').slice(-32).join('\n')}`,
          ),
        );
    });
  });
}
