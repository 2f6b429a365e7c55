/** Applying a directory of manifests that holds CustomResourceDefinitions, and waiting until they are served. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kube } from './client.ts';
import { crdEstablished, loadManifests } from './manifests.ts';
import { KubeWriter } from './writer.ts';

/**
 * Applies every object of the directory's `.yaml` files (in file name order, server-side apply as
 * `fieldManager`); returns the names of the CustomResourceDefinitions among them.
 */
export async function applyManifestDir(kube: Kube, dir: string, fieldManager: string): Promise<string[]> {
  const writer = new KubeWriter(kube, fieldManager);
  const crds: string[] = [];
  for (const f of (await readdir(dir)).filter((n) => n.endsWith('.yaml')).sort()) {
    for (const obj of loadManifests(await readFile(join(dir, f), 'utf8'))) {
      await writer.apply(obj);
      if (obj.kind === 'CustomResourceDefinition') crds.push(obj.metadata!.name!);
    }
  }
  return crds;
}

/**
 * Polls each CRD every `pollMs` until it is Established; resolves with the name of the first one that was
 * not by `timeoutMs` from the call, or undefined when all are.
 */
export async function untilEstablished(
  kube: Kube,
  names: readonly string[],
  timeoutMs: number,
  pollMs: number,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    while (!(await crdEstablished(kube, name))) {
      if (Date.now() > deadline) return name;
      await sleep(pollMs);
    }
  }
  return undefined;
}
