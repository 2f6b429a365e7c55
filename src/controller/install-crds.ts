import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kube } from '../kube/client.ts';
import { applyManifestDir, untilEstablished } from '../kube/crd-install.ts';

export const CRD_DIR = resolve(fileURLToPath(import.meta.url), '../../../charts/kanaria/crds');

/** Applies the CRD manifests (server-side apply) and waits until they are established. */
export async function installCrds(kube: Kube, dir = CRD_DIR): Promise<void> {
  const names = await applyManifestDir(kube, dir, 'installer');
  const late = await untilEstablished(kube, names, 30_000, 200);
  if (late) throw new Error(`CRD ${late} not established after 30s`);
}
