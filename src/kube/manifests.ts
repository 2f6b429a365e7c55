import { loadAllYaml, type KubernetesObject } from '@kubernetes/client-node';

/**
 * Parses multi-document YAML into the client's typed objects. Raw YAML must go through this before
 * it is written: the client serialises by its typed models and drops keys it does not recognise in
 * raw form (e.g. `x-kubernetes-int-or-string` in a CRD schema).
 */
export function loadManifests(text: string): KubernetesObject[] {
  return (loadAllYaml(text) as (KubernetesObject | null)[]).filter((o): o is KubernetesObject => Boolean(o));
}
