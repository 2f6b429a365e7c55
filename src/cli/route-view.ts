import type { Canary, MigrationStatus } from '../api/types.ts';
import { hasBaseline, namesOf } from '../resources/names.ts';
import { routesOfHttpRoute } from '../router/gatewayapi.ts';
import type { HTTPRoute } from '../router/httproute-types.ts';
import { httpRouteReadiness } from '../router/route-status.ts';

/** The HTTPRoute of a gatewayapi:v1 Canary as one line: its weights, A/B rule and whether it is accepted. */
export function httpRouteInfo(route: HTTPRoute, canary: Canary): string {
  const spec = canary.spec;
  const names = namesOf(spec);
  const routes = routesOfHttpRoute(route, spec) ?? { weight: 0, match: false };
  const w = routes.weight;
  // With a baseline the route gives it the canary's weight (see buildHttpRoute).
  const baseline = hasBaseline(spec) && !routes.match && w > 0 ? Math.min(w, 100 - w) : 0;
  const parts = [
    baseline > 0
      ? `${names.primaryService}=${100 - w - baseline} ${names.baselineService}=${baseline} ${names.canaryService}=${w}`
      : `${names.primaryService}=${100 - w} ${names.canaryService}=${w}`,
  ];
  if (routes.match) parts.push('A/B rule to the canary');
  const ready = httpRouteReadiness(route, spec, canary.metadata.namespace ?? '');
  parts.push(ready.ready ? 'Accepted' : `not accepted: ${ready.reason}`);
  return parts.join(', ');
}

/** "nginx -> gatewayapi:v1: <where it stands>" for a move between providers in progress or just finished. */
export function migrationOf(migration: MigrationStatus | undefined): string | undefined {
  if (!migration) return undefined;
  const state = migration.finishedAt ? `finished (${migration.finishedBy ?? 'idle'})` : 'in progress';
  return `${migration.from} -> ${migration.to}, ${state}${migration.message ? `: ${migration.message}` : ''}`;
}
