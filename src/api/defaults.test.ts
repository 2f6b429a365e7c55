import { describe, expect, it } from 'vitest';
import { withDefaults } from './defaults.ts';
import type { CanarySpec } from './types.ts';

function minimal(analysis: Partial<CanarySpec['analysis']> = {}): CanarySpec {
  return {
    targetRef: { name: 'podinfo' },
    service: { port: 9898 },
    analysis: { interval: '30s', ...analysis },
  };
}

describe('withDefaults', () => {
  it('fills every documented default of a minimal spec', () => {
    const spec = withDefaults(minimal());
    expect(spec).toEqual({
      provider: 'nginx',
      ingressController: 'ingress-nginx',
      progressDeadlineSeconds: 600,
      skipAnalysis: false,
      suspend: false,
      revertOnDeletion: false,
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { name: 'podinfo', port: 9898, portName: 'http', targetPort: 9898, portDiscovery: false },
      analysis: {
        interval: '30s',
        threshold: 1,
        maxWeight: 100,
        stepWeight: 10,
        iterations: 0,
        primaryReadyThreshold: 100,
        canaryReadyThreshold: 100,
        match: [],
        metrics: [],
        webhooks: [],
        alerts: [],
        windows: [],
      },
    });
  });

  it('keeps what the user set', () => {
    const spec = withDefaults({
      provider: 'nginx',
      ingressController: 'traefik',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      ingressRef: { name: 'web' },
      autoscalerRef: { name: 'hpa' },
      service: { name: 'front', port: 80, portName: 'web', targetPort: 'http', portDiscovery: true },
      progressDeadlineSeconds: 60,
      suspend: true,
      analysis: {
        interval: '1m',
        threshold: 5,
        maxWeight: 50,
        stepWeight: 5,
        primaryReadyThreshold: 80,
        canaryReadyThreshold: 0,
      },
    });
    expect(spec.service).toEqual({
      name: 'front',
      port: 80,
      portName: 'web',
      targetPort: 'http',
      portDiscovery: true,
    });
    expect(spec.ingressController).toBe('traefik');
    expect(spec.progressDeadlineSeconds).toBe(60);
    expect(spec.suspend).toBe(true);
    expect(spec.ingressRef).toEqual({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'web' });
    expect(spec.autoscalerRef).toEqual({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      name: 'hpa',
    });
    expect(spec.analysis).toMatchObject({
      threshold: 5,
      maxWeight: 50,
      stepWeight: 5,
      primaryReadyThreshold: 80,
      canaryReadyThreshold: 0,
    });
  });

  it('does not change its argument', () => {
    const input = minimal({ webhooks: [{ name: 'load', url: 'http://t/' }] });
    const copy = structuredClone(input);
    const out = withDefaults(input);
    out.analysis.webhooks[0].metadata = { changed: 'yes' };
    expect(input).toEqual(copy);
  });

  it('gives no stepWeight when stepWeights are set, and takes maxWeight from the last of them', () => {
    const { analysis } = withDefaults(minimal({ stepWeights: [5, 20, 40] }));
    expect(analysis.stepWeight).toBeUndefined();
    expect(analysis.maxWeight).toBe(40);
  });

  it('gives no stepWeight to an iteration-based (A/B or Blue/Green) analysis', () => {
    const { analysis } = withDefaults(minimal({ iterations: 10 }));
    expect(analysis.stepWeight).toBeUndefined();
    expect(analysis.iterations).toBe(10);
  });

  it('defaults webhooks to rollout, 60s, no retries, alerts on', () => {
    const { analysis } = withDefaults(
      minimal({
        webhooks: [
          { name: 'a', url: 'http://a/' },
          { name: 'b', url: 'http://b/', type: 'pre-rollout', timeout: '5s', retries: 2, muteAlert: true },
        ],
      }),
    );
    expect(analysis.webhooks).toEqual([
      { name: 'a', url: 'http://a/', type: 'rollout', timeout: '60s', retries: 0, muteAlert: false },
      { name: 'b', url: 'http://b/', type: 'pre-rollout', timeout: '5s', retries: 2, muteAlert: true },
    ]);
  });

  it("defaults alert severity to info, also when it is ''", () => {
    const providerRef = { name: 'slack' };
    const { analysis } = withDefaults(
      minimal({
        alerts: [
          { name: 'a', providerRef },
          { name: 'b', providerRef, severity: '' },
          { name: 'c', providerRef, severity: 'error' },
        ],
      }),
    );
    expect(analysis.alerts.map((a) => a.severity)).toEqual(['info', 'info', 'error']);
  });

  it('defaults metric intervals to 1m and reads the deprecated threshold as Flagger does', () => {
    const { analysis } = withDefaults(
      minimal({
        metrics: [
          { name: 'request-success-rate', threshold: 99 },
          { name: 'request-duration', threshold: 500, interval: '30s' },
          { name: 'errors', templateRef: { name: 'errors' }, thresholdRange: { max: 1 }, threshold: 7 },
        ],
      }),
    );
    expect(analysis.metrics).toEqual([
      { name: 'request-success-rate', threshold: 99, interval: '1m', thresholdRange: { min: 99 } },
      { name: 'request-duration', threshold: 500, interval: '30s', thresholdRange: { max: 500 } },
      {
        name: 'errors',
        templateRef: { name: 'errors' },
        thresholdRange: { max: 1 },
        threshold: 7,
        interval: '1m',
      },
    ]);
  });

  it('defaults release windows to UTC and allow', () => {
    const { analysis } = withDefaults(minimal({ windows: [{ schedule: '0 9 * * 1-5', duration: '8h' }] }));
    expect(analysis.windows).toEqual([
      { schedule: '0 9 * * 1-5', duration: '8h', timeZone: 'UTC', kind: 'allow' },
    ]);
  });

  it('does not throw on a spec the schema would reject', () => {
    const broken = { service: {}, analysis: {} } as unknown as CanarySpec;
    const spec = withDefaults(broken);
    expect(spec.analysis.interval).toBe('1m');
    expect(spec.targetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: '' });
  });
});
