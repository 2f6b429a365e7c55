/**
 * The Gateway API's standard channel (GatewayClass, Gateway, HTTPRoute, GRPCRoute, ReferenceGrant, …) for
 * the local control plane, taken from the Go module `sigs.k8s.io/gateway-api` at the version Traefik
 * 3.7.13 depends on. The module's `config/crd/standard/*.yaml` are copied once into the cache
 * (`<cache>/gateway-api-<version>/standard`, next to the binaries), never into the repository.
 */
import { spawn } from 'node:child_process';
import { access, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Kube } from '../kube/client.ts';
import { applyManifestDir, untilEstablished } from '../kube/crd-install.ts';
import { cacheRoot } from './binaries.ts';

export const GATEWAY_API_MODULE = 'sigs.k8s.io/gateway-api';
export const GATEWAY_API_VERSION = 'v1.6.1';

export class GatewayApiError extends Error {
  readonly code: 'ENOGO' | 'EDOWNLOAD' | 'ENOTESTABLISHED';
  constructor(code: GatewayApiError['code'], message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GatewayApiError';
    this.code = code;
  }
}

/** Where the standard channel's YAML files are cached. */
export function gatewayApiCrdDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), `gateway-api-${GATEWAY_API_VERSION}`, 'standard');
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** `go mod download -json` of the module (the Go module cache serves it when it has it); its Dir. */
function downloadModule(env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    // Run outside any module or workspace so the download does not touch a go.mod.
    const child = spawn('go', ['mod', 'download', '-json', `${GATEWAY_API_MODULE}@${GATEWAY_API_VERSION}`], {
      cwd: tmpdir(),
      env: { ...env, GOWORK: 'off', GOFLAGS: '-mod=mod' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', (e) =>
      reject(
        new GatewayApiError(
          'ENOGO',
          `cannot run go (needed once to fetch ${GATEWAY_API_MODULE}@${GATEWAY_API_VERSION}): ${e.message}`,
          { cause: e },
        ),
      ),
    );
    child.on('exit', (code) => {
      let dir: string | undefined;
      try {
        dir = (JSON.parse(out) as { Dir?: string; Error?: string }).Dir;
      } catch {
        /* reported below */
      }
      if (code === 0 && dir) resolve(dir);
      else
        reject(
          new GatewayApiError(
            'EDOWNLOAD',
            `go mod download ${GATEWAY_API_MODULE}@${GATEWAY_API_VERSION} failed (exit ${code}): ${(err || out).trim()}` +
              ' (inside a network namespace without network, run that command once outside it first)',
          ),
        );
    });
  });
}

/**
 * The cached directory of the standard channel's YAML files, fetched with Go on first use. A half-written
 * copy never counts: the files go to a temporary directory renamed into place when complete.
 */
export async function ensureGatewayApiCrds(
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = () => undefined,
): Promise<string> {
  const dir = gatewayApiCrdDir(env);
  if (await exists(dir)) return dir;
  log(`fetching the Gateway API CRDs from ${GATEWAY_API_MODULE}@${GATEWAY_API_VERSION} with go`);
  const source = join(await downloadModule(env), 'config', 'crd', 'standard');
  await mkdir(dirname(dir), { recursive: true });
  const staging = await mkdtemp(join(dirname(dir), '.standard-'));
  try {
    // Copied by content: files in the Go module cache are read-only.
    for (const f of (await readdir(source)).filter((n) => n.endsWith('.yaml')))
      await writeFile(join(staging, f), await readFile(join(source, f)));
    await rename(staging, dir).catch(async (err: NodeJS.ErrnoException) => {
      // Another process finished first: its copy is the same.
      if (!(await exists(dir))) throw err;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return dir;
}

export interface InstallGatewayApiOptions {
  /** A directory holding the YAML files; default the cache's, fetched when missing. */
  dir?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  timeoutMs?: number;
}

/**
 * Applies the standard channel (its CRDs, and the ValidatingAdmissionPolicy that refuses older or
 * experimental CRDs over them) and waits until every CRD is Established. Returns the CRDs' names.
 */
export async function installGatewayApiCrds(
  kube: Kube,
  options: InstallGatewayApiOptions = {},
): Promise<string[]> {
  const dir = options.dir ?? (await ensureGatewayApiCrds(options.env, options.log));
  const crds = await applyManifestDir(kube, dir, 'devcluster');
  const late = await untilEstablished(kube, crds, options.timeoutMs ?? 30_000, 100);
  if (late) throw new GatewayApiError('ENOTESTABLISHED', `Gateway API CRD ${late} not Established in time`);
  return crds;
}
