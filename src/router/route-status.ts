import type { CanarySpec, GatewayRef } from '../api/types.ts';
import { namesOf } from '../resources/names.ts';
import type { HTTPRoute, RouteCondition, RouteParentStatus } from './httproute-types.ts';

/** Whether the route object is in force on its data plane, with the data plane's own reason when not. */
export interface RouteReadiness {
  ready: boolean;
  reason: string;
  message: string;
}

function condition(parent: RouteParentStatus, type: string): RouteCondition | undefined {
  return parent.conditions?.find((c) => c.type === type);
}

function sameParent(parent: RouteParentStatus, ref: GatewayRef, namespace: string): boolean {
  const p = parent.parentRef;
  return (
    (p.kind ?? 'Gateway') === 'Gateway' &&
    p.name === ref.name &&
    (p.namespace ?? namespace) === (ref.namespace ?? namespace) &&
    (ref.sectionName === undefined || p.sectionName === ref.sectionName)
  );
}

/** Why one Gateway does not route by the HTTPRoute, or undefined when it does. */
function parentProblem(
  route: string,
  parents: RouteParentStatus[],
  ref: GatewayRef,
  namespace: string,
): RouteReadiness | undefined {
  const gateway = `${ref.namespace ?? namespace}/${ref.name}${ref.sectionName ? `/${ref.sectionName}` : ''}`;
  const mine = parents.filter((p) => sameParent(p, ref, namespace));
  const accepted = mine.find((p) => condition(p, 'Accepted')?.status === 'True');
  if (!accepted) {
    const refused = mine.map((p) => condition(p, 'Accepted')).find((c) => c !== undefined);
    if (!refused)
      return {
        ready: false,
        reason: 'RouteNotAccepted',
        message: `no controller of Gateway ${gateway} has accepted HTTPRoute ${route} yet (its status.parents has no Accepted condition for it): check that the Gateway exists and that a controller serves its GatewayClass`,
      };
    return {
      ready: false,
      reason: refused.reason || 'RouteNotAccepted',
      message: `Gateway ${gateway} does not accept HTTPRoute ${route}: ${refused.reason ?? ''}${refused.message ? `: ${refused.message}` : ''}`,
    };
  }
  const resolved = condition(accepted, 'ResolvedRefs');
  if (resolved?.status === 'False')
    return {
      ready: false,
      reason: resolved.reason || 'RefsNotResolved',
      message: `Gateway ${gateway} cannot resolve the backends of HTTPRoute ${route}: ${resolved.reason ?? ''}${resolved.message ? `: ${resolved.message}` : ''}`,
    };
  return undefined;
}

/** Ready once every Gateway in service.gatewayRefs has accepted the route and resolved its backends. */
export function httpRouteReadiness(
  route: HTTPRoute | undefined,
  spec: CanarySpec,
  namespace: string,
): RouteReadiness {
  const name = namesOf(spec).apex;
  if (!route)
    return { ready: false, reason: 'RouteNotCreated', message: `HTTPRoute ${name} does not exist yet` };
  const parents = route.status?.parents ?? [];
  for (const ref of spec.service.gatewayRefs ?? []) {
    const problem = parentProblem(name, parents, ref, namespace);
    if (problem) return problem;
  }
  return { ready: true, reason: 'Accepted', message: `HTTPRoute ${name} is accepted by its Gateways` };
}
