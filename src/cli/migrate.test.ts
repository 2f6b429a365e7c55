import { describe, expect, it } from 'vitest';
import type { Canary } from '../api/types.ts';
import { FINISH_MIGRATION_ANNOTATION } from '../router/migration.ts';
import { describeMigration, parseGatewayRef, planMigrate } from './migrate.ts';

function canary(spec: Partial<Canary['spec']> = {}, status: Canary['status'] = {}): Canary {
  return {
    apiVersion: 'kanaria.dev/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'shop' },
    spec: {
      provider: 'nginx',
      targetRef: { name: 'podinfo' },
      ingressRef: { name: 'podinfo' },
      service: { port: 80 },
      analysis: { interval: '1m' },
      ...spec,
    },
    status,
  };
}

describe('kanaria migrate', () => {
  it('starts a move to gatewayapi:v1, keeping the Ingress route', () => {
    const plan = planMigrate(canary(), {
      to: 'gatewayapi:v1',
      gateway: ['infra/public/http'],
      host: ['shop.example.com'],
    });
    expect(plan.patch).toEqual({
      spec: {
        provider: 'gatewayapi:v1',
        service: {
          gatewayRefs: [{ namespace: 'infra', name: 'public', sectionName: 'http' }],
          hosts: ['shop.example.com'],
        },
      },
    });
    expect(plan.message).toContain('move your DNS to the Gateway');
  });

  it('says what is missing to start a move', () => {
    expect(() => planMigrate(canary(), { to: 'gatewayapi:v1' })).toThrow(/--gateway NAMESPACE\/NAME/);
    expect(() => planMigrate(canary(), { to: 'nginx' })).toThrow(/no spec.service.gatewayRefs/);
    expect(() => planMigrate(canary(), { to: 'istio' })).toThrow(/nginx and gatewayapi:v1/);
    expect(() => parseGatewayRef('a/b/c/d')).toThrow(/NAMESPACE\/NAME\/LISTENER/);
    expect(parseGatewayRef('public')).toEqual({ name: 'public' });
  });

  it('starts the move back to nginx', () => {
    const onGateway = canary({
      provider: 'gatewayapi:v1',
      ingressRef: undefined,
      service: { port: 80, gatewayRefs: [{ name: 'public' }] },
    });
    expect(planMigrate(onGateway, { to: 'nginx', ingress: 'web' }).patch).toEqual({
      spec: {
        provider: 'nginx',
        ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'web' },
      },
    });
    expect(() => planMigrate(onGateway, { to: 'nginx' })).toThrow(/--ingress NAME/);
  });

  it('--finish names the destination, only while a move is in progress', () => {
    const moving = canary({
      provider: 'gatewayapi:v1',
      service: { port: 80, gatewayRefs: [{ name: 'public' }] },
    });
    expect(planMigrate(moving, { finish: true }).patch).toEqual({
      metadata: { annotations: { [FINISH_MIGRATION_ANNOTATION]: 'gatewayapi:v1' } },
    });
    expect(() => planMigrate(canary(), { finish: true })).toThrow(/no move in progress/);
    const finished = canary(moving.spec, {
      migration: {
        from: 'nginx',
        to: 'gatewayapi:v1',
        startedAt: 't0',
        finishedAt: 't1',
        finishedBy: 'idle',
      },
    });
    expect(() => planMigrate(finished, { finish: true })).toThrow(/no move in progress/);
    expect(describeMigration(finished)).toBe(
      'podinfo.shop: nginx -> gatewayapi:v1, started t0, finished t1 (idle)',
    );
    expect(planMigrate(canary(), {}).message).toBe(
      'podinfo.shop is not moving between providers (provider nginx)',
    );
  });
});
