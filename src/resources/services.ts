import type { CanaryService } from '../api/types.ts';
import type { V1Deployment, V1Service, V1ServicePort } from '../kube/types.ts';
import { MANAGED_BY_LABEL, ownerReference, type Owner } from './meta.ts';
import type { Names } from './names.ts';
import { baselineName, primaryName } from './names.ts';

export interface ServicesInput {
  service: CanaryService;
  names: Names;
  target: V1Deployment;
  selectorLabel: string;
  owner: Owner;
  /** On deletion with revertOnDeletion the apex Service selects the target's pods again. */
  apexSelectsTarget?: boolean;
  /** analysis.judge.baseline: a `-baseline` Service selects the baseline's pods. */
  baseline?: boolean;
}

function ports(service: CanaryService, target: V1Deployment): V1ServicePort[] {
  const main: V1ServicePort = {
    name: service.portName ?? 'http',
    port: service.port,
    protocol: 'TCP',
    targetPort: (service.targetPort ?? service.port) as V1ServicePort['targetPort'],
    ...(service.appProtocol ? { appProtocol: service.appProtocol } : {}),
  };
  const list = [main];
  if (service.portDiscovery) {
    const seen = new Set([main.port, typeof main.targetPort === 'number' ? main.targetPort : -1]);
    for (const c of target.spec?.template.spec?.containers ?? []) {
      for (const p of c.ports ?? []) {
        if (seen.has(p.containerPort) || (p.protocol ?? 'TCP') !== 'TCP') continue;
        seen.add(p.containerPort);
        list.push({
          name: `tcp-${c.name}-${p.containerPort}`.slice(0, 63),
          port: p.containerPort,
          protocol: 'TCP',
          targetPort: p.containerPort as V1ServicePort['targetPort'],
        });
      }
    }
  }
  return list;
}

/**
 * The apex, primary and canary Services: apex and primary select the primary pods, canary the target's; with a
 * baseline also the baseline Service, selecting the baseline's pods.
 */
export function buildServices(input: ServicesInput): V1Service[] {
  const { service, names, target, selectorLabel, owner } = input;
  const value = target.spec!.selector.matchLabels![selectorLabel];
  const make = (
    name: string,
    selectorValue: string,
    extra: CanaryService['apex'],
    owned = true,
  ): V1Service => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: target.metadata!.namespace,
      labels: { ...(extra?.labels ?? {}), [selectorLabel]: name, [MANAGED_BY_LABEL]: 'kanaria' },
      annotations: extra?.annotations ?? {},
      ownerReferences: owned ? [ownerReference(owner)] : [],
    },
    spec: { type: 'ClusterIP', selector: { [selectorLabel]: selectorValue }, ports: ports(service, target) },
  });
  return [
    // Reverted on deletion: the apex Service outlives the Canary and serves the target, so the Ingress keeps working.
    input.apexSelectsTarget
      ? make(names.apex, value, service.apex, false)
      : make(names.apex, primaryName(value), service.apex),
    make(names.primaryService, primaryName(value), service.primary),
    make(names.canaryService, value, service.canary),
    ...(input.baseline ? [make(names.baselineService, baselineName(value), service.primary)] : []),
  ];
}

/** What Kanaria applies to a Service the user created: its selector only, never owner, type or ports. */
export function serviceSelectorOnly(desired: V1Service): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: desired.metadata!.name, namespace: desired.metadata!.namespace },
    spec: { selector: desired.spec!.selector },
  };
}
