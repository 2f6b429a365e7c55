import { describe, expect, it } from 'vitest';
import type { V1Deployment } from '../kube/types.ts';
import { buildBaseline } from './baseline.ts';
import { namesOf } from './names.ts';
import { buildServices } from './services.ts';

const owner = { apiVersion: 'kanaria.dev/v1beta1', kind: 'Canary', name: 'podinfo', uid: 'u-1' };

const primary: V1Deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'podinfo-primary',
    namespace: 'test',
    labels: { app: 'podinfo-primary', team: 'a' },
    annotations: { 'kanaria.dev/promoted-spec': 'h1', 'deployment.kubernetes.io/revision': '3' },
    resourceVersion: '42',
  },
  spec: {
    replicas: 4,
    strategy: { type: 'RollingUpdate' },
    selector: { matchLabels: { app: 'podinfo-primary' } },
    template: {
      metadata: { labels: { app: 'podinfo-primary', tier: 'web' } },
      spec: {
        containers: [{ name: 'app', image: 'podinfo:6.0.0' }],
        volumes: [{ name: 'config', configMap: { name: 'podinfo-config-primary' } }],
      },
    },
  },
};

describe('buildBaseline', () => {
  it("runs the primary's pod template under the -baseline selector value, owned and at the given size", () => {
    const baseline = buildBaseline({ primary, owner, selectorLabel: 'app', replicas: 2 });
    expect(baseline.metadata).toEqual({
      name: 'podinfo-baseline',
      namespace: 'test',
      labels: { app: 'podinfo-baseline', team: 'a', 'app.kubernetes.io/managed-by': 'kanaria' },
      ownerReferences: [
        {
          apiVersion: 'kanaria.dev/v1beta1',
          kind: 'Canary',
          name: 'podinfo',
          uid: 'u-1',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
    expect(baseline.spec).toEqual({
      replicas: 2,
      strategy: { type: 'RollingUpdate' },
      selector: { matchLabels: { app: 'podinfo-baseline' } },
      template: {
        metadata: { labels: { app: 'podinfo-baseline', tier: 'web' } },
        spec: primary.spec!.template.spec,
      },
    });
  });
});

describe('buildServices with a baseline', () => {
  const spec = {
    targetRef: { name: 'podinfo' },
    service: { port: 80, name: 'web' },
    analysis: { interval: '1m', judge: { baseline: true } },
  };
  const target: V1Deployment = {
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: { selector: { matchLabels: { app: 'podinfo' } }, template: {} },
  };
  const services = (baseline: boolean) =>
    buildServices({
      service: spec.service,
      names: namesOf(spec),
      target,
      selectorLabel: 'app',
      owner,
      baseline,
    });

  it('adds <service>-baseline selecting the baseline pods', () => {
    const baseline = services(true).find((s) => s.metadata!.name === 'web-baseline');
    expect(baseline?.spec?.selector).toEqual({ app: 'podinfo-baseline' });
    expect(baseline?.metadata?.ownerReferences).toMatchObject([{ kind: 'Canary', uid: 'u-1' }]);
    expect(services(false).map((s) => s.metadata!.name)).toEqual(['web', 'web-primary', 'web-canary']);
  });
});
