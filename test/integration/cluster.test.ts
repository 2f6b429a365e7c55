import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kube } from '../../src/kube/client.ts';
import { GATEWAY_API_VERSION } from '../../src/devcluster/gateway-api.ts';
import { freshNamespace, testKube, waitFor } from './helpers.ts';

describe('local control plane', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'cluster');
  });
  afterAll(async () => ns.cleanup());

  it('runs a Deployment to Available with Running/Ready pods and stores Ingress annotations', async () => {
    const namespace = ns.name;
    await kube.apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              containers: [
                {
                  name: 'web',
                  image: 'ghcr.io/stefanprodan/podinfo:6.0.0',
                  ports: [{ containerPort: 9898 }],
                },
              ],
            },
          },
        },
      },
    });
    await kube.core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 9898 }] },
      },
    });
    await kube.networking.createNamespacedIngress({
      namespace,
      body: {
        metadata: {
          name: 'web-canary',
          annotations: {
            'nginx.ingress.kubernetes.io/canary': 'true',
            'nginx.ingress.kubernetes.io/canary-weight': '10',
          },
        },
        spec: {
          ingressClassName: 'nginx',
          rules: [
            {
              host: 'web.example.local',
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: 'web', port: { number: 80 } } },
                  },
                ],
              },
            },
          ],
        },
      },
    });

    const dep = await waitFor('Deployment web Available', async () => {
      const d = await kube.apps.readNamespacedDeployment({ name: 'web', namespace });
      const available = d.status?.conditions?.find((c) => c.type === 'Available');
      return available?.status === 'True' && d.status?.readyReplicas === 2 ? d : undefined;
    });
    expect(dep.status?.availableReplicas).toBe(2);

    const pods = await kube.core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
    expect(pods.items).toHaveLength(2);
    for (const p of pods.items) {
      expect(p.status?.phase).toBe('Running');
      expect(p.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(p.spec?.nodeName).toMatch(/^kwok-node-/);
    }

    const ing = await kube.networking.readNamespacedIngress({ name: 'web-canary', namespace });
    expect(ing.metadata?.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '10',
    });
  });

  it('serves the API groups the operator needs', async () => {
    const namespace = ns.name;
    await kube.autoscaling.createNamespacedHorizontalPodAutoscaler({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
          minReplicas: 1,
          maxReplicas: 3,
        },
      },
    });
    const lease = await kube.coordination.createNamespacedLease({
      namespace,
      body: { metadata: { name: 'lock' }, spec: { holderIdentity: 'me', leaseDurationSeconds: 15 } },
    });
    expect(lease.spec?.holderIdentity).toBe('me');
    const hpa = await kube.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'web', namespace });
    expect(hpa.spec?.maxReplicas).toBe(3);
  });

  it('serves the Gateway API standard channel and validates an HTTPRoute by its schema', async () => {
    const namespace = ns.name;
    const group = 'gateway.networking.k8s.io';
    for (const plural of ['gatewayclasses', 'gateways', 'httproutes', 'grpcroutes', 'referencegrants']) {
      const crd = (await kube.objects.read({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: `${plural}.${group}` },
      })) as { metadata: { annotations?: Record<string, string> } };
      expect(crd.metadata.annotations?.[`${group}/channel`]).toBe('standard');
      expect(crd.metadata.annotations?.[`${group}/bundle-version`]).toBe(GATEWAY_API_VERSION);
    }
    const route = (weight: number) => ({
      metadata: { name: 'web' },
      spec: {
        parentRefs: [{ name: 'gw' }],
        rules: [{ backendRefs: [{ name: 'web', port: 80, weight }] }],
      },
    });
    const created = (await kube.custom.createNamespacedCustomObject({
      group,
      version: 'v1',
      namespace,
      plural: 'httproutes',
      body: { apiVersion: `${group}/v1`, kind: 'HTTPRoute', ...route(80) },
    })) as { spec: { rules: { matches?: unknown[] }[] } };
    // The schema's defaults apply: a rule without matches matches every path.
    expect(created.spec.rules[0].matches).toEqual([{ path: { type: 'PathPrefix', value: '/' } }]);
    await expect(
      kube.custom.createNamespacedCustomObject({
        group,
        version: 'v1',
        namespace,
        plural: 'httproutes',
        body: {
          apiVersion: `${group}/v1`,
          kind: 'HTTPRoute',
          ...route(1_000_001),
          metadata: { name: 'bad' },
        },
      }),
    ).rejects.toThrow(/weight/);
  });
});
