/**
 * The example app of `examples/podinfo/` (ConfigMap, Deployment, Ingress and the Canary) made ready for
 * a given namespace, and the few writes a release needs. Shared by `kanaria demo` and the e2e scenarios.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import type { Canary, CanaryAnalysis } from '../api/types.ts';
import type { Kube } from '../kube/client.ts';
import { loadManifests } from '../kube/manifests.ts';
import type { V1Deployment, V1Ingress } from '../kube/types.ts';

export const EXAMPLE_DIR = resolve(fileURLToPath(import.meta.url), '../../../examples/podinfo');
export const PODINFO_IMAGE = 'ghcr.io/stefanprodan/podinfo';
const FIELD_MANAGER = 'kanaria-demo';

export interface AppOptions {
  namespace: string;
  /** Host of the Ingress rule; the example's `app.example.com` when unset. */
  host?: string;
  /** Overrides the example's `minReadySeconds` (5): 0 makes releases on fake nodes faster. */
  minReadySeconds?: number;
  replicas?: number;
  dir?: string;
}

async function example(file: string, dir = EXAMPLE_DIR): Promise<KubernetesObject[]> {
  return loadManifests(await readFile(join(dir, file), 'utf8'));
}

/** ConfigMap `podinfo-config`, Deployment `podinfo` and Ingress `podinfo` of the example, in `namespace`. */
export async function podinfoObjects(options: AppOptions): Promise<KubernetesObject[]> {
  const objects = [
    ...(await example('deployment.yaml', options.dir)),
    ...(await example('ingress.yaml', options.dir)),
  ];
  for (const obj of objects) {
    obj.metadata = { ...obj.metadata, namespace: options.namespace };
    if (obj.kind === 'Deployment') {
      const spec = (obj as V1Deployment).spec!;
      if (options.minReadySeconds !== undefined) spec.minReadySeconds = options.minReadySeconds;
      if (options.replicas !== undefined) spec.replicas = options.replicas;
    }
    if (obj.kind === 'Ingress' && options.host) {
      for (const rule of (obj as V1Ingress).spec?.rules ?? []) rule.host = options.host;
    }
  }
  return objects;
}

/**
 * The example's Canary `podinfo` in `namespace` with `analysis` merged over the example's (keys given
 * replace the example's: pass `webhooks: []` to drop its Flagger load-tester webhooks).
 */
export async function podinfoCanary(
  namespace: string,
  analysis: Partial<CanaryAnalysis> = {},
  dir?: string,
): Promise<Canary> {
  const [canary] = (await example('canary.yaml', dir)) as unknown as Canary[];
  canary.metadata = { ...canary.metadata, namespace };
  canary.spec.analysis = { ...canary.spec.analysis, ...analysis };
  for (const key of Object.keys(canary.spec.analysis) as (keyof CanaryAnalysis)[])
    if (canary.spec.analysis[key] === undefined) delete canary.spec.analysis[key];
  return canary;
}

/** Server-side apply of each object, as `kubectl apply --server-side` would. */
export async function applyObjects(kube: Kube, objects: KubernetesObject[]): Promise<void> {
  for (const obj of objects)
    await kube.objects.patch(obj, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
}

export async function createNamespace(kube: Kube, name: string): Promise<void> {
  await applyObjects(kube, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }]);
}

/** `kubectl set image deployment/<name> <container>=<image>:<tag>` for the first container. */
export async function setImage(
  kube: Kube,
  namespace: string,
  tag: string,
  name = 'podinfo',
): Promise<string> {
  const dep = await kube.apps.readNamespacedDeployment({ name, namespace });
  const container = dep.spec!.template.spec!.containers[0];
  const image = `${(container.image ?? PODINFO_IMAGE).replace(/:[^:/]+$/, '')}:${tag}`;
  // A JSON patch of the one field: the operator scales the same Deployment meanwhile.
  await kube.apps.patchNamespacedDeployment({
    name,
    namespace,
    body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: image }],
  });
  return image;
}

/**
 * A release as a pod template change: sets the first container's image tag to `version` and its
 * FAULT_RATE env (read by the pod runner's processes, src/podrunner/behaviour.ts) to `errorRate`, or
 * removes FAULT_RATE without one: one write, so the operator sees one new revision.
 */
export async function releasePodTemplate(
  kube: Kube,
  namespace: string,
  name: string,
  version: string,
  errorRate?: number,
): Promise<string> {
  const dep = await kube.apps.readNamespacedDeployment({ name, namespace });
  const container = dep.spec!.template.spec!.containers[0];
  const image = `${(container.image ?? PODINFO_IMAGE).replace(/:[^:/]+$/, '')}:${version}`;
  const env = (container.env ?? []).filter((e) => e.name !== 'FAULT_RATE');
  if (errorRate) env.push({ name: 'FAULT_RATE', value: String(errorRate) });
  // A JSON patch of the two fields: the operator scales the same Deployment meanwhile.
  await kube.apps.patchNamespacedDeployment({
    name,
    namespace,
    body: [
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: image },
      { op: 'add', path: '/spec/template/spec/containers/0/env', value: env },
    ],
  });
  return image;
}
