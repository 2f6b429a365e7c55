import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kube } from '../kube/client.ts';
import { crdEstablished, loadManifests } from '../kube/manifests.ts';
import { KubeWriter } from '../kube/writer.ts';

export const CRD_DIR = resolve(fileURLToPath(import.meta.url), '../../../charts/kanaria/crds');

/** Applies the CRD manifests (server-side apply) and waits until they are established. */
export async function installCrds(kube: Kube, dir = CRD_DIR): Promise<void> {
  const writer = new KubeWriter(kube, 'installer');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
  const names: string[] = [];
  for (const f of files) {
    for (const obj of loadManifests(await readFile(join(dir, f), 'utf8'))) {
      await writer.apply(obj);
      names.push(obj.metadata!.name!);
    }
  }
  const deadline = Date.now() + 30_000;
  for (const name of names) {
    for (;;) {
      if (await crdEstablished(kube, name)) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} not established after 30s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
