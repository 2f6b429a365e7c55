import { describe, expect, it } from 'vitest';
import type { V1Deployment } from '../kube/types.ts';
import { templateHash } from './workload.ts';

function deployment(image: string, resourceVersion?: string): V1Deployment {
  return {
    metadata: { name: 'app', namespace: 'ns', ...(resourceVersion ? { resourceVersion } : {}) },
    spec: {
      selector: { matchLabels: { app: 'app' } },
      template: { metadata: { labels: { app: 'app' } }, spec: { containers: [{ name: 'app', image }] } },
    },
  };
}

describe('templateHash', () => {
  it('is the same for equal templates and differs when the image changes', () => {
    expect(templateHash(deployment('podinfo:6.0.0'))).toBe(templateHash(deployment('podinfo:6.0.0', '7')));
    expect(templateHash(deployment('podinfo:6.0.0'))).not.toBe(templateHash(deployment('podinfo:6.0.1')));
  });

  it('follows an object that changed along with its resourceVersion, and one without a resourceVersion', () => {
    const cached = deployment('podinfo:6.0.0', '10');
    const before = templateHash(cached);
    cached.spec!.template.spec!.containers[0].image = 'podinfo:6.0.1';
    cached.metadata!.resourceVersion = '11';
    expect(templateHash(cached)).toBe(templateHash(deployment('podinfo:6.0.1')));
    expect(templateHash(cached)).not.toBe(before);

    const local = deployment('podinfo:6.0.0');
    const first = templateHash(local);
    local.spec!.template.spec!.containers[0].image = 'podinfo:6.0.2';
    expect(templateHash(local)).not.toBe(first);
  });
});
