/**
 * Moving a Canary between providers while it serves. `spec.provider` names where the Canary goes; when
 * the spec also configures the other provider's route (an `ingressRef` next to `gatewayapi:v1`, or
 * `service.gatewayRefs` next to `nginx`), that route is the one it comes from. Until the migration is
 * finished both routes exist and carry the same weights, so either entry path splits the same way.
 * It finishes when the old route's data plane has counted no request for `spec.migration.idleFor`, or
 * when a person asks (`kanaria migrate --finish`); then the old route object is deleted and not
 * written again. Pure: the time and the observed request count are arguments.
 */
import type { CanarySpec, CanaryStatus, MigrationStatus, Provider } from '../api/types.ts';
import { GATEWAY_API_PROVIDER } from '../api/types.ts';
import { parseDuration } from '../api/duration.ts';

/** Which kind of route carries the app's traffic: the canary Ingress, or the HTTPRoute. */
export type RouteKind = 'ingress' | 'gateway';

export const DEFAULT_MIGRATION_IDLE = '10m';
/** Annotation asking to finish the migration to the provider it names (`kanaria migrate --finish`). */
export const FINISH_MIGRATION_ANNOTATION = 'kanaria.dev/finish-migration';

export function routeKindOf(provider: string | undefined): RouteKind {
  return provider === GATEWAY_API_PROVIDER ? 'gateway' : 'ingress';
}

function providerOf(kind: RouteKind): Provider {
  return kind === 'gateway' ? GATEWAY_API_PROVIDER : 'nginx';
}

/** The provider the spec also configures besides its own, i.e. the one a migration comes from. */
export function migrationSource(spec: CanarySpec): Provider | undefined {
  const own = routeKindOf(spec.provider);
  if (own === 'gateway') return spec.ingressRef ? 'nginx' : undefined;
  return (spec.service.gatewayRefs ?? []).length > 0 ? GATEWAY_API_PROVIDER : undefined;
}

function sameMigration(status: MigrationStatus | undefined, from: Provider, to: Provider): boolean {
  return status?.from === from && status.to === to;
}

/** The route kinds to write and to read traffic from: the provider's, then the source's until finished. */
export function activeRouteKinds(spec: CanarySpec, status: CanaryStatus | undefined): RouteKind[] {
  const own = routeKindOf(spec.provider);
  const from = migrationSource(spec);
  if (!from) return [own];
  const migration = status?.migration;
  const finished = sameMigration(migration, from, providerOf(own)) && Boolean(migration?.finishedAt);
  return finished ? [own] : [own, routeKindOf(from)];
}

/**
 * The route whose requests the observed split counts: the provider's, or while migrating the old one (it
 * carries the recorded weights from the start, the new one only once its Gateway accepted it).
 */
export function splitRouteKind(kinds: RouteKind[]): RouteKind {
  return kinds[kinds.length - 1];
}

/** The route kind whose object is to be deleted: the source of a finished migration. */
export function retiredRouteKind(spec: CanarySpec, status: CanaryStatus | undefined): RouteKind | undefined {
  const from = migrationSource(spec);
  const migration = status?.migration;
  if (!from || !migration?.finishedAt || !sameMigration(migration, from, spec.provider as Provider))
    return undefined;
  return routeKindOf(from);
}

export interface MigrationObservation {
  /** Requests the old route's data plane has counted in all (a counter); undefined when unknown. */
  oldRouteRequests?: number;
  /** Why the count is unknown, for the status message. */
  unknownBecause?: string;
  /** The value of the finish annotation, if any. */
  finishRequest?: string;
}

/**
 * The migration status after one observation: started when first seen, `lastRequestAt` moved whenever
 * the old route's counter changed, finished once it has been still for `idleFor` (or on request).
 * Undefined when the Canary is not migrating (a finished migration's record is kept while the spec
 * still names the old route, so the old route stays retired).
 */
export function nextMigration(
  spec: CanarySpec,
  previous: MigrationStatus | undefined,
  observation: MigrationObservation,
  nowIso: string,
): MigrationStatus | undefined {
  const from = migrationSource(spec);
  if (!from) return undefined;
  const to = (spec.provider === GATEWAY_API_PROVIDER ? GATEWAY_API_PROVIDER : 'nginx') as Provider;
  const base: MigrationStatus = sameMigration(previous, from, to)
    ? { ...previous! }
    : { from, to, startedAt: nowIso, lastRequestAt: nowIso };
  if (base.finishedAt) return base;
  if (observation.finishRequest === to) {
    return {
      ...base,
      finishedAt: nowIso,
      finishedBy: 'request',
      message: `finished on request: the ${from} route is removed`,
    };
  }
  const count = observation.oldRouteRequests;
  if (count === undefined) {
    return {
      ...base,
      message: `the ${from} route stays until its requests can be counted (${observation.unknownBecause ?? 'unknown'}) or until kanaria migrate --finish`,
    };
  }
  if (base.oldRouteRequests !== count) {
    // A counter that moved (or was reset) is traffic on the old path.
    const moved = base.oldRouteRequests !== undefined;
    return {
      ...base,
      oldRouteRequests: count,
      lastRequestAt: moved ? nowIso : base.lastRequestAt,
      message: `the ${from} route still serves requests (${count} counted)`,
    };
  }
  const idleForMs = parseDuration(spec.migration?.idleFor ?? DEFAULT_MIGRATION_IDLE);
  const idleSinceMs = Date.parse(base.lastRequestAt ?? base.startedAt);
  if (Date.parse(nowIso) - idleSinceMs >= idleForMs) {
    return {
      ...base,
      finishedAt: nowIso,
      finishedBy: 'idle',
      message: `finished: the ${from} route counted no request for ${spec.migration?.idleFor ?? DEFAULT_MIGRATION_IDLE}; it is removed`,
    };
  }
  return {
    ...base,
    message: `the ${from} route has counted no request since ${base.lastRequestAt}; it is removed after ${spec.migration?.idleFor ?? DEFAULT_MIGRATION_IDLE} without one`,
  };
}
