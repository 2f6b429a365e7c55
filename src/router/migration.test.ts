import { describe, expect, it } from 'vitest';
import type { CanarySpec, MigrationStatus } from '../api/types.ts';
import {
  activeRouteKinds,
  migrationSource,
  nextMigration,
  retiredRouteKind,
  splitRouteKind,
} from './migration.ts';

const nginx: CanarySpec = {
  provider: 'nginx',
  targetRef: { name: 'podinfo' },
  ingressRef: { name: 'podinfo' },
  service: { port: 80 },
  analysis: { interval: '10s' },
};
const toGateway: CanarySpec = {
  ...nginx,
  provider: 'gatewayapi:v1',
  service: { port: 80, gatewayRefs: [{ name: 'gateway' }] },
  migration: { idleFor: '30s' },
};
const toNginx: CanarySpec = { ...toGateway, provider: 'nginx' };
const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 12, 0, s)).toISOString();

/** The statuses a run of observations (request counter readings, one per 10 s) leads to. */
function run(spec: CanarySpec, counts: (number | undefined)[], start?: MigrationStatus) {
  let status = start;
  const out: (MigrationStatus | undefined)[] = [];
  counts.forEach((count, i) => {
    status = nextMigration(
      spec,
      status,
      { oldRouteRequests: count, unknownBecause: 'no Prometheus' },
      at(i * 10),
    );
    out.push(status);
  });
  return out;
}

describe('migration between providers', () => {
  it('is the other provider configured next to spec.provider', () => {
    expect(migrationSource(nginx)).toBeUndefined();
    expect(migrationSource({ ...nginx, provider: 'gatewayapi:v1', ingressRef: undefined })).toBeUndefined();
    expect(migrationSource(toGateway)).toBe('nginx');
    expect(migrationSource(toNginx)).toBe('gatewayapi:v1');
  });

  it('writes both routes until finished, then only the new one, and retires the old one', () => {
    expect(activeRouteKinds(nginx, {})).toEqual(['ingress']);
    expect(activeRouteKinds(toGateway, {})).toEqual(['gateway', 'ingress']);
    expect(splitRouteKind(activeRouteKinds(toGateway, {}))).toBe('ingress');
    const finished = { from: 'nginx', to: 'gatewayapi:v1', startedAt: at(0), finishedAt: at(50) } as const;
    expect(activeRouteKinds(toGateway, { migration: finished })).toEqual(['gateway']);
    expect(retiredRouteKind(toGateway, { migration: finished })).toBe('ingress');
    expect(
      retiredRouteKind(toGateway, { migration: { ...finished, finishedAt: undefined } }),
    ).toBeUndefined();
    // The record of a finished move the other way does not retire anything now.
    expect(activeRouteKinds(toNginx, { migration: finished })).toEqual(['ingress', 'gateway']);
    expect(retiredRouteKind(toNginx, { migration: finished })).toBeUndefined();
  });

  it('finishes once the old route counted no request for idleFor, counting from its last request', () => {
    const statuses = run(toGateway, [100, 140, 180, 180, 180, 180, 180]);
    expect(statuses.map((s) => s?.lastRequestAt)).toEqual([0, 10, 20, 20, 20, 20, 20].map(at));
    expect(statuses.map((s) => s?.finishedAt)).toEqual([...Array(5).fill(undefined), at(50), at(50)]);
    expect(statuses[5]).toMatchObject({
      from: 'nginx',
      to: 'gatewayapi:v1',
      startedAt: at(0),
      finishedBy: 'idle',
    });
    expect(statuses[5]?.message).toContain('no request for 30s');
  });

  it('never finishes by itself while the count is unknown; a request for this move finishes it', () => {
    const statuses = run(toNginx, [undefined, undefined, undefined, undefined, undefined]);
    expect(statuses.every((s) => !s?.finishedAt)).toBe(true);
    expect(statuses[4]?.message).toContain('no Prometheus');
    const requested = nextMigration(toNginx, statuses[4], { finishRequest: 'nginx' }, at(60));
    expect(requested).toMatchObject({ finishedAt: at(60), finishedBy: 'request' });
    // A request naming another destination is not for this move.
    expect(
      nextMigration(toNginx, statuses[4], { finishRequest: 'gatewayapi:v1' }, at(60))?.finishedAt,
    ).toBeUndefined();
  });

  it('a counter that goes back (a restarted proxy) is traffic, not idleness', () => {
    const statuses = run(toGateway, [500, 500, 3, 3, 3, 3]);
    expect(statuses[2]?.lastRequestAt).toBe(at(20));
    expect(statuses[4]?.finishedAt).toBeUndefined();
    expect(statuses[5]?.finishedAt).toBe(at(50));
  });

  it('a changed destination starts a new move; no move without the other route', () => {
    const finished = run(toGateway, [1, 1, 1, 1, 1])[4];
    expect(finished?.finishedAt).toBe(at(30));
    const back = nextMigration(toNginx, finished, { oldRouteRequests: 7 }, at(100));
    expect(back).toMatchObject({ from: 'gatewayapi:v1', to: 'nginx', startedAt: at(100) });
    expect(back?.finishedAt).toBeUndefined();
    expect(nextMigration(nginx, finished, { oldRouteRequests: 7 }, at(100))).toBeUndefined();
  });
});
