/** HTTPRoutes in the controller's integration tests: read them, and write what a Gateway controller would. */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Canary } from '../../../src/api/types.ts';
import type { Kube } from '../../../src/kube/client.ts';
import type { HTTPRoute } from '../../../src/router/httproute-types.ts';

export const ROUTES = { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes' };

export function gatewayCanary(namespace: string, name: string): Canary {
  return {
    apiVersion: 'kanaria.dev/v1beta1',
    kind: 'Canary',
    metadata: { name, namespace },
    spec: {
      provider: 'gatewayapi:v1',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      progressDeadlineSeconds: 60,
      service: {
        port: 80,
        targetPort: 9898,
        hosts: ['app.example.com'],
        gatewayRefs: [{ name: 'public', namespace }],
      },
      analysis: { interval: '1s', threshold: 2, maxWeight: 30, stepWeight: 10 },
    },
  };
}

export async function readRoute(kube: Kube, namespace: string, name: string): Promise<HTTPRoute | undefined> {
  try {
    return (await kube.custom.getNamespacedCustomObject({ ...ROUTES, namespace, name })) as HTTPRoute;
  } catch {
    return undefined;
  }
}

export const weightsOf = (route: HTTPRoute | undefined) =>
  route?.spec?.rules?.at(-1)?.backendRefs?.map((b) => `${b.name}=${b.weight}`) ?? [];

/** Polls the HTTPRoute and keeps every distinct canary weight of its weighted rule. */
export function recordRouteWeights(kube: Kube, namespace: string, name: string) {
  const seen: number[] = [];
  let stopped = false;
  const sampleOnce = async () => {
    const canary = (await readRoute(kube, namespace, name))?.spec?.rules
      ?.at(-1)
      ?.backendRefs?.find((b) => b.name === `${name}-canary`)?.weight;
    if (canary !== undefined && seen.at(-1) !== canary) seen.push(canary);
  };
  const loop = (async () => {
    while (!stopped) {
      await sampleOnce();
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return { seen, stop: async () => ((stopped = true), await loop, await sampleOnce()) };
}

/** What a Gateway controller writes about the route: accepted, or refused with its reason. */
export async function acceptRoute(
  kube: Kube,
  namespace: string,
  name: string,
  verdict = { status: 'True', reason: 'Accepted', message: 'Route is accepted' },
): Promise<void> {
  const route = await readRoute(kube, namespace, name);
  await kube.custom.patchNamespacedCustomObjectStatus(
    {
      ...ROUTES,
      namespace,
      name,
      body: {
        status: {
          parents: [
            {
              parentRef: { group: ROUTES.group, kind: 'Gateway', name: 'public', namespace },
              controllerName: 'example.com/gateway-controller',
              conditions: [
                {
                  type: 'Accepted',
                  ...verdict,
                  observedGeneration: route?.metadata?.generation,
                  lastTransitionTime: new Date().toISOString(),
                },
              ],
            },
          ],
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}
