/** Reads and merge patches of Canary objects, for the command line and the gate API. */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Canary } from '../api/types.ts';
import type { Kube } from './client.ts';
import { orAbsent } from './client.ts';

export type { EventsV1Event } from '@kubernetes/client-node';

const CANARIES = { group: 'kanaria.dev', version: 'v1beta1', plural: 'canaries' } as const;
const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The Canary, or undefined when it does not exist. */
export function readCanary(kube: Kube, namespace: string, name: string): Promise<Canary | undefined> {
  return orAbsent(kube.custom.getNamespacedCustomObject({ ...CANARIES, namespace, name }) as Promise<Canary>);
}

/** Canaries of one namespace, or of all namespaces when `namespace` is undefined. */
export async function listCanaries(kube: Kube, namespace?: string): Promise<{ items: Canary[] }> {
  const list = namespace
    ? await kube.custom.listNamespacedCustomObject({ ...CANARIES, namespace })
    : await kube.custom.listClusterCustomObject({ ...CANARIES });
  return list as { items: Canary[] };
}

/**
 * JSON merge patch of a Canary (metadata or spec) by `fieldManager` (without one, the API server
 * names the client library); undefined when the Canary does not exist.
 */
export async function patchCanary(
  kube: Kube,
  namespace: string,
  name: string,
  patch: object,
  fieldManager?: string,
): Promise<Canary | undefined> {
  return orAbsent(
    kube.custom.patchNamespacedCustomObject(
      { ...CANARIES, namespace, name, body: patch, fieldManager },
      mergePatch(),
    ) as Promise<Canary>,
  );
}

/** Watch path of the Canaries of one namespace (for watchCache). */
export function canariesPath(namespace: string): string {
  return `/apis/${CANARIES.group}/${CANARIES.version}/namespaces/${namespace}/${CANARIES.plural}`;
}

/** The namespace of the kubeconfig's current context, `default` when it names none. */
export function contextNamespace(kube: Kube): string {
  return kube.kc.getContextObject(kube.kc.getCurrentContext())?.namespace || 'default';
}
