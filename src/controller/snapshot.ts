import type { Canary, CanarySpec } from '../api/types.ts';
import type { Snapshot } from '../engine/model.ts';
import type { V1ConfigMap, V1Deployment, V1Ingress } from '../kube/types.ts';
import { configKey, referencedConfigs } from '../resources/configs.ts';
import { hashOf } from '../resources/hash.ts';
import { hasBaseline, namesOf } from '../resources/names.ts';
import { ABORT_ANNOTATION, APPROVE_ANNOTATION, PROMOTE_ANNOTATION } from '../resources/meta.ts';
import { DECISION_ANNOTATION, parseDecisionRecord } from '../gate/approval.ts';
import { templateHash, workloadView } from '../resources/workload.ts';
import { DEFAULT_ANNOTATION_PREFIX, usesService } from '../router/nginx.ts';
import { activeRouteKinds, splitRouteKind, type RouteKind } from '../router/migration.ts';
import { combinedRoutes, routerOfKind } from '../router/router.ts';
import type { Caches } from './caches.ts';
import { gatewayRouteProblem, liveRoute } from './route-objects.ts';

export interface Problem {
  reason: string;
  message: string;
}

export interface Observed {
  snapshot: Snapshot;
  target?: V1Deployment;
  ingress?: V1Ingress;
  selectorLabel?: string;
}

/** The first of the configured selector labels the target's selector uses. */
export function selectorLabelOf(target: V1Deployment, labels: string[]): string | undefined {
  const match = target.spec?.selector?.matchLabels ?? {};
  return labels.find((l) => match[l] !== undefined);
}

function findProblem(
  canary: Canary,
  spec: CanarySpec,
  caches: Caches,
  selectorLabels: string[],
  kinds: RouteKind[],
): { problem?: Problem; target?: V1Deployment; ingress?: V1Ingress; selectorLabel?: string } {
  const ns = canary.metadata.namespace!;
  const names = namesOf(spec);
  const target = caches.deployments.get(names.target, ns);
  if (!target)
    return {
      problem: {
        reason: 'TargetNotFound',
        message: `Deployment ${names.target} (spec.targetRef.name) not found in namespace ${ns}: create it or fix spec.targetRef`,
      },
    };
  const claim = claimedByAnother(canary, spec, caches);
  if (claim) return { problem: claim };
  const selectorLabel = selectorLabelOf(target, selectorLabels);
  if (!selectorLabel)
    return {
      target,
      problem: {
        reason: 'NoSelectorLabel',
        message: `Deployment ${names.target} has no selector label among ${selectorLabels.join(', ')}: add one of them to spec.selector.matchLabels and the pod template labels`,
      },
    };
  const routeProblem = gatewayRouteProblem(canary, spec, caches, kinds);
  if (routeProblem) return { target, selectorLabel, problem: routeProblem };
  // The Ingress matters only while the canary Ingress is one of the routes (not after a migration off it).
  if (!names.ingress || !kinds.includes('ingress'))
    return kinds.includes('gateway')
      ? configProblem(target, selectorLabel, caches, names.target)
      : { target, selectorLabel };
  const ingress = caches.ingresses.get(names.ingress, ns);
  if (!ingress)
    return {
      target,
      selectorLabel,
      problem: {
        reason: 'IngressNotFound',
        message: `Ingress ${names.ingress} (spec.ingressRef.name) not found in namespace ${ns}: create it or fix spec.ingressRef`,
      },
    };
  if (!usesService(ingress, names.apex))
    return {
      target,
      selectorLabel,
      ingress,
      problem: {
        reason: 'IngressWithoutApexBackend',
        message: `Ingress ${names.ingress} has no backend for Service ${names.apex}: point a rule (or the default backend) at service ${names.apex} port ${spec.service.port}`,
      },
    };
  return { ...configProblem(target, selectorLabel, caches, names.target), ingress };
}

function configProblem(
  target: V1Deployment,
  selectorLabel: string,
  caches: Caches,
  targetName: string,
): { problem?: Problem; target: V1Deployment; selectorLabel: string } {
  const ns = target.metadata!.namespace!;
  for (const ref of referencedConfigs(target.spec?.template.spec)) {
    const found =
      ref.kind === 'configmap' ? caches.configMaps.get(ref.name, ns) : caches.secrets.get(ref.name, ns);
    if (!found && !ref.optional)
      return {
        target,
        selectorLabel,
        problem: {
          reason: 'ConfigNotFound',
          message: `${ref.kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${ref.name} used by Deployment ${targetName} not found: create it or mark the reference optional`,
        },
      };
  }
  return { target, selectorLabel };
}

function createdAt(c: Canary): number {
  const t = new Date(c.metadata.creationTimestamp as unknown as string).getTime();
  return Number.isFinite(t) ? t : 0;
}

/**
 * Two Canaries must never drive one Deployment or one Ingress: the older one (then the first by name)
 * keeps it, the other writes nothing and says which Canary holds it.
 */
function claimedByAnother(canary: Canary, spec: CanarySpec, caches: Caches): Problem | undefined {
  const mine = namesOf(spec);
  const created = createdAt(canary);
  const before = (other: Canary) =>
    createdAt(other) < created ||
    (createdAt(other) === created && other.metadata.name < canary.metadata.name);
  for (const other of canariesSharing(canary, mine.target, mine.ingress, caches)) {
    const theirs = other.spec;
    const sameTarget = theirs.targetRef?.name === mine.target;
    const sameIngress = Boolean(mine.ingress) && theirs.ingressRef?.name === mine.ingress;
    if (!(sameTarget || sameIngress)) continue;
    if (other.metadata.name === canary.metadata.name || other.metadata.deletionTimestamp || !before(other))
      continue;
    if (sameTarget)
      return {
        reason: 'TargetClaimed',
        message: `Deployment ${mine.target} is already released by Canary ${other.metadata.name}: point spec.targetRef at another Deployment or delete one of the two Canaries`,
      };
    if (sameIngress)
      return {
        reason: 'IngressClaimed',
        message: `Ingress ${mine.ingress} is already used by Canary ${other.metadata.name}: point spec.ingressRef at another Ingress or delete one of the two Canaries`,
      };
  }
  return undefined;
}

/**
 * The Canaries of the namespace that may name the same Deployment or Ingress: from the index when there
 * is one, else every Canary of the namespace (the name comparisons in the caller decide).
 */
function canariesSharing(
  canary: Canary,
  target: string,
  ingress: string | undefined,
  caches: Caches,
): Canary[] {
  const ns = canary.metadata.namespace;
  const index = caches.canaryIndex;
  if (!index) return caches.canaries.list(ns) as Canary[];
  const names = new Set([...index.naming(ns, 'Deployment', target), ...index.naming(ns, 'Ingress', ingress)]);
  names.delete(canary.metadata.name);
  return [...names]
    .map((name) => caches.canaries.get(name, ns) as Canary | undefined)
    .filter((other): other is Canary => other !== undefined);
}

/** Hashes of the data of every existing ConfigMap/Secret the target uses. */
export function configHashes(target: V1Deployment | undefined, caches: Caches): Record<string, string> {
  const out: Record<string, string> = {};
  if (!target) return out;
  const ns = target.metadata!.namespace!;
  for (const ref of referencedConfigs(target.spec?.template.spec)) {
    const obj =
      ref.kind === 'configmap' ? caches.configMaps.get(ref.name, ns) : caches.secrets.get(ref.name, ns);
    if (obj)
      out[configKey(ref)] = hashOf({
        data: obj.data ?? {},
        binaryData: (obj as V1ConfigMap).binaryData ?? {},
      });
  }
  return out;
}

export function observe(
  canary: Canary,
  spec: CanarySpec,
  caches: Caches,
  opts: { selectorLabels: string[]; prefix?: string; validationProblem?: Problem; prometheus?: string },
): Observed {
  const ns = canary.metadata.namespace!;
  const names = namesOf(spec);
  const kinds = activeRouteKinds(spec, canary.status);
  const found = findProblem(canary, spec, caches, opts.selectorLabels, kinds);
  const problem = opts.validationProblem ?? found.problem;
  const analysis = spec.analysis;
  // Someone else's HTTPRoute of the same name is neither read nor written.
  const foreign = found.problem?.reason === 'HTTPRouteNotOwned';
  const routers = kinds
    .map((kind) => routerOfKind(kind, { prefix: opts.prefix ?? DEFAULT_ANNOTATION_PREFIX }))
    .filter((router) => !(foreign && router.routeKind === 'gateway'));
  const lives = routers.map((router) => ({ router, live: liveRoute(router, caches, spec, ns) }));
  const routed = combinedRoutes(lives.map(({ router, live }) => router.routes(live, spec)));
  const readiness = lives
    .map(({ router, live }) => router.readiness(live, spec, ns))
    .find((r) => r !== undefined);
  const configs = configHashes(found.target, caches);
  const baseline = caches.deployments.get(names.baseline, ns);
  const snapshot: Snapshot = {
    name: canary.metadata.name,
    namespace: ns,
    generation: canary.metadata.generation ?? 0,
    spec,
    status: canary.status ?? {},
    deleting: Boolean(canary.metadata.deletionTimestamp),
    deletionTimestamp: canary.metadata.deletionTimestamp
      ? new Date(canary.metadata.deletionTimestamp as unknown as string).toISOString()
      : undefined,
    target: workloadView(found.target, analysis.canaryReadyThreshold ?? 100, false),
    primary: workloadView(
      caches.deployments.get(names.primary, ns),
      analysis.primaryReadyThreshold ?? 100,
      true,
    ),
    // Read also when the Canary stopped asking for one, so that a running baseline is scaled down.
    ...(baseline || hasBaseline(spec)
      ? { baseline: workloadView(baseline, analysis.canaryReadyThreshold ?? 100, false) }
      : {}),
    configs,
    revision: hashOf({ template: found.target ? templateHash(found.target) : '', configs }),
    requests: {
      approve: canary.metadata.annotations?.[APPROVE_ANNOTATION],
      abort: canary.metadata.annotations?.[ABORT_ANNOTATION],
      promote: canary.metadata.annotations?.[PROMOTE_ANNOTATION],
      decision: parseDecisionRecord(canary.metadata.annotations?.[DECISION_ANNOTATION]),
    },
    routedWeight: routed?.weight,
    autoscalerMinReplicas: names.hpa ? caches.hpas.get(names.hpa, ns)?.spec?.minReplicas : undefined,
    routedMatch: routed?.match,
    splitObservable: splitObservable(spec, kinds, Boolean(spec.metricsServer ?? opts.prometheus)),
    problem,
    ...(readiness ? { route: readiness } : {}),
  };
  return { snapshot, target: found.target, ingress: found.ingress, selectorLabel: found.selectorLabel };
}

/** Whether the data plane's requests can be counted: a Prometheus, and series that name the route. */
function splitObservable(spec: CanarySpec, kinds: RouteKind[], prometheus: boolean): boolean {
  if (!prometheus) return false;
  return splitRouteKind(kinds) === 'ingress'
    ? Boolean(spec.ingressRef)
    : spec.ingressController === 'traefik';
}
