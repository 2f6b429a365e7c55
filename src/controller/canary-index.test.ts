import { describe, expect, it } from 'vitest';
import type { Canary } from '../api/types.ts';
import { CanaryIndex } from './canary-index.ts';

function canary(name: string, target: string, ingress?: string, hpa?: string, namespace = 'shop'): Canary {
  return {
    apiVersion: 'kanaria.dev/v1beta1',
    kind: 'Canary',
    metadata: { name, namespace },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
      ...(ingress
        ? { ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: ingress } }
        : {}),
      ...(hpa
        ? { autoscalerRef: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: hpa } }
        : {}),
      service: { port: 80 },
      analysis: { interval: '1m', threshold: 5 },
    },
  } as Canary;
}

describe('CanaryIndex', () => {
  it('finds the Canaries that name a Deployment, Ingress or HPA, per namespace', () => {
    const index = new CanaryIndex();
    index.reset([
      canary('a', 'web', 'web', 'web-hpa'),
      canary('b', 'web'),
      canary('c', 'api', 'api'),
      canary('d', 'web', undefined, undefined, 'other'),
    ]);
    expect(index.naming('shop', 'Deployment', 'web').sort()).toEqual(['a', 'b']);
    expect(index.naming('shop', 'Ingress', 'api')).toEqual(['c']);
    expect(index.naming('shop', 'HorizontalPodAutoscaler', 'web-hpa')).toEqual(['a']);
    expect(index.naming('other', 'Deployment', 'web')).toEqual(['d']);
    expect(index.naming('shop', 'Deployment', 'nothing')).toEqual([]);
    expect(index.naming('shop', 'Ingress', undefined)).toEqual([]);
  });

  it('follows a Canary that points elsewhere and one that is deleted', () => {
    const index = new CanaryIndex();
    index.reset([canary('a', 'web', 'web'), canary('b', 'web')]);
    index.update('shop', 'a', canary('a', 'api', 'api'));
    expect(index.naming('shop', 'Deployment', 'web')).toEqual(['b']);
    expect(index.naming('shop', 'Deployment', 'api')).toEqual(['a']);
    expect(index.naming('shop', 'Ingress', 'web')).toEqual([]);
    index.update('shop', 'b', undefined);
    expect(index.naming('shop', 'Deployment', 'web')).toEqual([]);
    index.update('shop', 'e', canary('e', 'web'));
    expect(index.naming('shop', 'Deployment', 'web')).toEqual(['e']);
  });
});
