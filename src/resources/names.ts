import type { CanarySpec } from '../api/types.ts';

/** Names of the objects Kanaria creates for one Canary. */
export function namesOf(spec: CanarySpec) {
  const target = spec.targetRef.name;
  const apex = spec.service.name ?? target;
  return {
    target,
    primary: `${target}-primary`,
    /** The control Deployment of analysis.judge.baseline. */
    baseline: baselineName(target),
    apex,
    primaryService: `${apex}-primary`,
    canaryService: `${apex}-canary`,
    baselineService: baselineName(apex),
    ingress: spec.ingressRef?.name,
    canaryIngress: spec.ingressRef ? `${spec.ingressRef.name}-canary` : undefined,
    hpa: spec.autoscalerRef?.name,
    primaryHpa: spec.autoscalerRef ? `${spec.autoscalerRef.name}-primary` : undefined,
  };
}
export type Names = ReturnType<typeof namesOf>;

export const primaryName = (name: string) => `${name}-primary`;
export const baselineName = (name: string) => `${name}-baseline`;

/** Whether the Canary runs a baseline Deployment as the control of its compared metrics. */
export function hasBaseline(spec: CanarySpec): boolean {
  return spec.analysis.judge?.baseline === true;
}
