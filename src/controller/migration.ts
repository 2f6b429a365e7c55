/**
 * The shell's part of a migration between providers: reading the old route's request count (at most once per
 * recheck period per Canary, so status writes do not drive reconciles into a loop of queries) and turning it
 * into the next migration status (src/router/migration.ts decides).
 */
import type { Canary, CanarySpec, CanaryStatus, MigrationStatus, OutcomeEvent } from '../api/types.ts';
import { parseDuration } from '../api/duration.ts';
import type { RouteRequests } from '../checks/route-requests.ts';
import {
  activeRouteKinds,
  DEFAULT_MIGRATION_IDLE,
  FINISH_MIGRATION_ANNOTATION,
  migrationSource,
  nextMigration,
  routeKindOf,
  type RouteKind,
} from '../router/migration.ts';

export type RouteRequestCounter = (
  canary: Canary,
  spec: CanarySpec,
  kind: RouteKind,
  signal?: AbortSignal,
) => Promise<RouteRequests>;

/** How often the old route's count is read: a quarter of idleFor, between 1 s and 10 s. */
export function migrationRecheckMs(spec: CanarySpec): number {
  const idleFor = parseDuration(spec.migration?.idleFor ?? DEFAULT_MIGRATION_IDLE);
  return Math.min(10_000, Math.max(1_000, Math.floor(idleFor / 4)));
}

export interface MigrationStep {
  /** The status to record; undefined leaves status.migration as it is (not migrating). */
  status?: MigrationStatus;
  /** When to look again, while the old route is still there. */
  recheckMs?: number;
}

export class MigrationObserver {
  private readonly last = new Map<string, { at: number; kind: RouteKind; requests: RouteRequests }>();

  private readonly count: RouteRequestCounter | undefined;
  private readonly clock: () => number;

  constructor(count: RouteRequestCounter | undefined, clock: () => number) {
    this.count = count;
    this.clock = clock;
  }

  /** The migration status after this reconcile, reading the old route's count when it is due. */
  async step(
    canary: Canary,
    spec: CanarySpec,
    status: CanaryStatus,
    signal?: AbortSignal,
  ): Promise<MigrationStep> {
    const from = migrationSource(spec);
    if (!from) return {};
    const key = `${canary.metadata.namespace}/${canary.metadata.name}`;
    const nowIso = new Date(this.clock()).toISOString();
    const finishRequest = canary.metadata.annotations?.[FINISH_MIGRATION_ANNOTATION];
    const stillMigrating = activeRouteKinds(spec, status).length > 1;
    const requests = stillMigrating ? await this.requests(key, canary, spec, routeKindOf(from), signal) : {};
    const next = nextMigration(
      spec,
      status.migration,
      { oldRouteRequests: requests.count, unknownBecause: requests.unknownBecause, finishRequest },
      nowIso,
    );
    if (next?.finishedAt) this.last.delete(key);
    return { status: next, recheckMs: next?.finishedAt ? undefined : migrationRecheckMs(spec) };
  }

  forget(key: string): void {
    this.last.delete(key);
  }

  private async requests(
    key: string,
    canary: Canary,
    spec: CanarySpec,
    kind: RouteKind,
    signal?: AbortSignal,
  ): Promise<RouteRequests> {
    if (!this.count) return { unknownBecause: 'no Prometheus is configured' };
    const now = this.clock();
    const cached = this.last.get(key);
    if (cached && cached.kind === kind && now - cached.at < migrationRecheckMs(spec)) return cached.requests;
    const requests = await this.count(canary, spec, kind, signal);
    this.last.set(key, { at: now, kind, requests });
    return requests;
  }
}

/** Events for a migration that starts or finishes in this reconcile. */
export function migrationEvents(
  canary: Canary,
  previous: MigrationStatus | undefined,
  next: MigrationStatus,
): OutcomeEvent[] {
  const id = `${canary.metadata.name}.${canary.metadata.namespace}`;
  const events: OutcomeEvent[] = [];
  const started =
    previous?.from !== next.from || previous.to !== next.to || previous.startedAt !== next.startedAt;
  if (started)
    events.push({
      type: 'Normal',
      reason: 'MigrationStarted',
      message: `Moving ${id} from ${next.from} to ${next.to}: both routes carry the same weights until the ${next.from} route is retired`,
    });
  if (next.finishedAt && (started || !previous?.finishedAt))
    events.push({
      type: 'Normal',
      reason: 'MigrationFinished',
      message: `${id}: ${next.message ?? 'migration finished'}`,
    });
  return events;
}
