import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { ensureBinaries, KUBE_VERSION } from '../../../src/devcluster/binaries.ts';

export const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
export const chartDir = join(repoRoot, 'charts', 'kanaria');
export const examplesDir = join(repoRoot, 'examples');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; a non-zero exit is a result, not an exception. */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(cmd, args, { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') {
        reject(new Error(`cannot run ${cmd}: ${err.message}`, { cause: err }));
        return;
      }
      resolvePromise({ code: err ? Number(err.code) : 0, stdout, stderr });
    });
  });
}

export interface ChartTools {
  helm: string;
  kubeconform: string;
}

/**
 * helm and kubeconform from the build cache, $KUBEBUILDER_ASSETS or $PATH, built from their Go modules
 * when missing (`.ci/run` builds them beforehand). A missing toolchain fails the tests that need them.
 */
export async function chartTools(): Promise<ChartTools> {
  return ensureBinaries(['helm', 'kubeconform'] as const);
}

/** Every .yaml file under a directory, sorted, as paths relative to it. */
export async function yamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((f) => f.endsWith('.yaml')).sort();
}

type Schema = { [key: string]: unknown };

function isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * kubeconform's openapi2jsonschema conversion: objects with properties reject unknown ones (as the API
 * server prunes them), except at the root, and int-or-string fields accept both.
 */
function toJsonSchema(node: unknown, root = false): unknown {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n));
  if (!isObject(node)) return node;
  if (node['x-kubernetes-int-or-string'] === true)
    return { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) out[key] = toJsonSchema(value);
  if (!root && isObject(node.properties) && !('additionalProperties' in node))
    out.additionalProperties = false;
  return out;
}

/**
 * Writes the JSON schema of every CRD version in `crdDir` to `outDir` as `{kind}_{version}.json`
 * (lowercased), the file layout kubeconform's CRD docs use. Returns the file names.
 */
export async function writeCrdSchemas(crdDir: string, outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const file of await yamlFiles(crdDir)) {
    for (const doc of parseAllDocuments(await readFile(join(crdDir, file), 'utf8'))) {
      const crd = doc.toJS() as {
        kind?: string;
        spec?: {
          names: { kind: string };
          versions: { name: string; schema?: { openAPIV3Schema?: unknown } }[];
        };
      } | null;
      if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
      for (const version of crd.spec.versions) {
        if (!version.schema?.openAPIV3Schema) continue;
        const name = `${crd.spec.names.kind}_${version.name}`.toLowerCase() + '.json';
        await writeFile(
          join(outDir, name),
          JSON.stringify(toJsonSchema(version.schema.openAPIV3Schema, true), null, 2),
        );
        written.push(name);
      }
    }
  }
  return written.sort();
}

export interface KubeconformResource {
  filename: string;
  kind: string;
  name: string;
  version: string;
  status: 'statusValid' | 'statusInvalid' | 'statusError' | 'statusSkipped' | 'statusEmpty';
  msg: string;
}

/**
 * Validates manifests with kubeconform against the CRD schemas in `schemaDir` only. Its default schema
 * location downloads the built-in kinds' schemas from GitHub, which these machines cannot reach, so
 * built-in kinds are skipped here (-ignore-missing-schemas) and validated by a server-side dry run
 * against the local control plane instead.
 */
export async function kubeconform(
  bin: string,
  schemaDir: string,
  paths: string[],
): Promise<{ code: number; resources: KubeconformResource[]; raw: string }> {
  const result = await run(bin, [
    '-strict',
    '-kubernetes-version',
    KUBE_VERSION,
    '-schema-location',
    join(schemaDir, '{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json'),
    '-ignore-missing-schemas',
    '-output',
    'json',
    '-verbose',
    ...paths,
  ]);
  let resources: KubeconformResource[] = [];
  try {
    resources = (JSON.parse(result.stdout) as { resources?: KubeconformResource[] }).resources ?? [];
  } catch {
    /* reported through code and raw */
  }
  return { code: result.code, resources, raw: `${result.stdout}\n${result.stderr}` };
}
