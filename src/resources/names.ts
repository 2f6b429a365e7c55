import type { CanarySpec } from '../api/types.ts';

/** Names of the objects Kanaria creates for one Canary. */
export function namesOf(spec: CanarySpec) {
  const target = spec.targetRef.name;
  const apex = spec.service.name ?? target;
  return {
    target,
    primary: `${target}-primary`,
    apex,
    primaryService: `${apex}-primary`,
    canaryService: `${apex}-canary`,
    ingress: spec.ingressRef?.name,
    canaryIngress: spec.ingressRef ? `${spec.ingressRef.name}-canary` : undefined,
    hpa: spec.autoscalerRef?.name,
    primaryHpa: spec.autoscalerRef ? `${spec.autoscalerRef.name}-primary` : undefined,
  };
}
export type Names = ReturnType<typeof namesOf>;

export const primaryName = (name: string) => `${name}-primary`;
