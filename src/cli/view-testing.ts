/** Helpers for the Canary view's tests: a Canary of podinfo with its objects and Events, at a fixed time. */
import type { Canary, CanaryStatus } from '../api/types.ts';
import type { V1Deployment, V1Ingress, V1Service } from '../kube/types.ts';
import { renderCanaryView } from './render.ts';
import { buildCanaryView, type CanaryObjects, type EventInput } from './view.ts';

export const NOW = Date.parse('2025-03-01T12:00:00Z');
export const ago = (s: number) => new Date(NOW - s * 1000).toISOString();
const IMAGE = 'ghcr.io/stefanprodan/podinfo';

export function canary(status: CanaryStatus): Canary {
  return {
    apiVersion: 'kanaria.dev/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test', uid: 'u1' },
    spec: {
      provider: 'nginx',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'podinfo' },
      service: { port: 80, targetPort: 9898 },
      analysis: { interval: '1m', threshold: 2, maxWeight: 50, stepWeight: 10 },
    },
    status,
  };
}

function deployment(name: string, tag: string, replicas: number, ready: number): V1Deployment {
  return {
    metadata: { name, namespace: 'test', generation: 2 },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { spec: { containers: [{ name: 'podinfod', image: `${IMAGE}:${tag}` }] } },
    },
    status: {
      observedGeneration: 2,
      replicas: Math.max(replicas, ready),
      updatedReplicas: ready,
      readyReplicas: ready,
      availableReplicas: ready,
    },
  };
}

const service = (name: string, app: string): V1Service => ({
  metadata: { name, namespace: 'test' },
  spec: { selector: { app } },
});

const ingress = (weight: number): V1Ingress => ({
  metadata: {
    name: 'podinfo-canary',
    namespace: 'test',
    annotations: {
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': String(weight),
    },
  },
});

export const event = (rv: number, secondsAgo: number, note: string, type = 'Normal'): EventInput => ({
  type,
  reason: 'Synced',
  note,
  eventTime: ago(secondsAgo),
  metadata: { resourceVersion: String(rv) },
});

export function objects(
  status: CanaryStatus,
  target: { tag: string; replicas: number; ready: number },
  weight: number,
  events: EventInput[],
  stable = '6.0.0',
): CanaryObjects {
  return {
    canary: canary(status),
    primary: deployment('podinfo-primary', stable, 2, 2),
    target: deployment('podinfo', target.tag, target.replicas, target.ready),
    services: [
      service('podinfo', 'podinfo-primary'),
      service('podinfo-primary', 'podinfo-primary'),
      service('podinfo-canary', 'podinfo'),
    ],
    canaryIngress: ingress(weight),
    configs: [{ kind: 'ConfigMap', name: 'podinfo-config-primary' }],
    events,
  };
}

export const render = (o: CanaryObjects) => renderCanaryView(buildCanaryView(o, NOW));
