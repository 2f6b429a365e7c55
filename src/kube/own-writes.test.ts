import { describe, expect, it } from 'vitest';
import { OwnWrites, resourceOfKind } from './own-writes.ts';

const at = (resourceVersion: string, name = 'podinfo-canary') => ({
  metadata: { namespace: 'shop', name, resourceVersion },
});

describe('OwnWrites', () => {
  it('tells the echo of our own write from anyone else’s change', () => {
    const own = new OwnWrites();
    own.note('ingresses', 'shop', 'podinfo-canary', '120');
    expect(own.isEcho('ingresses', at('119'))).toBe(false); // an older event: still waiting for ours
    expect(own.isEcho('ingresses', at('120'))).toBe(true);
    expect(own.isEcho('ingresses', at('120'))).toBe(false); // consumed
    expect(own.size).toBe(0);
  });

  it('a newer version than our write is someone else’s and ends the entry', () => {
    const own = new OwnWrites();
    own.note('canaries', 'shop', 'podinfo', '7');
    expect(own.isEcho('canaries', at('9', 'podinfo'))).toBe(false);
    expect(own.isEcho('canaries', at('7', 'podinfo'))).toBe(false);
    expect(own.size).toBe(0);
  });

  it('keeps several writes of one object in flight and tells objects and kinds apart', () => {
    const own = new OwnWrites();
    own.note('canaries', 'shop', 'podinfo', '10');
    own.note('canaries', 'shop', 'podinfo', '12');
    expect(own.isEcho('ingresses', at('10', 'podinfo'))).toBe(false);
    expect(own.isEcho('canaries', at('10', 'other'))).toBe(false);
    expect(own.isEcho('canaries', at('10', 'podinfo'))).toBe(true);
    expect(own.isEcho('canaries', at('12', 'podinfo'))).toBe(true);
    expect(own.size).toBe(0);
  });

  it('names resources as the API server does', () => {
    expect(['Ingress', 'Deployment', 'HTTPRoute', 'HorizontalPodAutoscaler'].map(resourceOfKind)).toEqual([
      'ingresses',
      'deployments',
      'httproutes',
      'horizontalpodautoscalers',
    ]);
  });
});
