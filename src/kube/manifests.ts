import { loadAllYaml, type KubernetesObject } from '@kubernetes/client-node';
import type { Kube } from './client.ts';

/**
 * Parses multi-document YAML into the client's typed objects. Raw YAML must go through this before
 * it is written: the client serialises by its typed models and drops keys it does not recognise in
 * raw form (e.g. `x-kubernetes-int-or-string` in a CRD schema).
 */
export function loadManifests(text: string): KubernetesObject[] {
  return (loadAllYaml(text) as (KubernetesObject | null)[]).filter((o): o is KubernetesObject => Boolean(o));
}

/** Whether the CustomResourceDefinition `name` is Established: the API server serves its kind. */
export async function crdEstablished(kube: Kube, name: string): Promise<boolean> {
  const crd = (await kube.objects.read({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name },
  })) as { status?: { conditions?: { type: string; status: string }[] } };
  return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
}
