// Flagger, built from its Go module at a pinned version by hack/build-binaries.sh, and its CRDs
// from the same module in the Go module cache.
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cacheBinDir } from '../src/devcluster/binaries.ts';

const run = promisify(execFile);
const REPO = resolve(fileURLToPath(import.meta.url), '../..');

export async function flaggerVersion(): Promise<string> {
  const { stdout } = await run('bash', ['-c', "sed -n 's/^FLAGGER_VERSION=//p' hack/build-binaries.sh"], {
    cwd: REPO,
  });
  return stdout.trim();
}

/** The flagger binary (built on first use) and the path of its CRD manifest. */
export async function ensureFlagger(
  log: (l: string) => void,
): Promise<{ bin: string; crd: string; version: string }> {
  const version = await flaggerVersion();
  const bin = join(cacheBinDir(process.env), 'flagger');
  try {
    await access(bin);
  } catch {
    log(`building flagger ${version} (once)`);
    await run('bash', ['hack/build-binaries.sh', 'flagger'], { cwd: REPO, maxBuffer: 1 << 24 });
  }
  const { stdout } = await run('go', ['mod', 'download', '-json', `github.com/fluxcd/flagger@v${version}`], {
    cwd: '/',
  });
  const dir = (JSON.parse(stdout) as { Dir: string }).Dir;
  return { bin, crd: join(dir, 'artifacts/flagger/crd.yaml'), version };
}

/** Flagger's arguments; it watches all namespaces without `namespace`. */
export function flaggerArgs(kubeconfig: string, namespace?: string): string[] {
  return [
    '-kubeconfig',
    kubeconfig,
    '-mesh-provider',
    'nginx',
    // Nothing listens there: the analyses use no metrics, so Flagger never queries it.
    '-metrics-server',
    'http://127.0.0.1:1',
    '-log-level',
    'info',
    ...(namespace ? ['-namespace', namespace] : []),
  ];
}

/** Flagger runs a canary's analysis no more often than every 10s (v1beta1 GetAnalysisInterval). */
export const FLAGGER_MIN_INTERVAL_MS = 10_000;
