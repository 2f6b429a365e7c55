import type { V2HorizontalPodAutoscaler } from '../kube/types.ts';
import { MANAGED_BY_LABEL, ownerReference, type Owner } from './meta.ts';
import { primaryName } from './names.ts';

/** `<hpa>-primary`: the target's HPA (min/max/metrics/behavior) pointed at the primary Deployment. */
export function buildPrimaryHpa(source: V2HorizontalPodAutoscaler, owner: Owner): V2HorizontalPodAutoscaler {
  const spec = structuredClone(source.spec!);
  spec.scaleTargetRef = { ...spec.scaleTargetRef, name: primaryName(spec.scaleTargetRef.name) };
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name: primaryName(source.metadata!.name!),
      namespace: source.metadata!.namespace,
      labels: { ...(source.metadata?.labels ?? {}), [MANAGED_BY_LABEL]: 'kanaria' },
      ownerReferences: [ownerReference(owner)],
    },
    spec,
  };
}
