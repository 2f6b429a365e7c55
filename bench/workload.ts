// The workloads both controllers release: per canary a Deployment (1 replica), an Ingress and a
// Canary whose analysis is one webhook on a local always-200 HTTP server, in one or more namespaces.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kube } from '../src/kube/client.ts';
import { ensureNamespace } from './background.ts';
import type { ControllerName } from './cluster.ts';

export const IMAGE = 'ghcr.io/stefanprodan/podinfo';

export const CANARY_API: Record<ControllerName, { group: string; version: string }> = {
  kanaria: { group: 'kanaria.dev', version: 'v1beta1' },
  flagger: { group: 'flagger.app', version: 'v1beta1' },
};

export interface Analysis {
  interval: string;
  stepWeight: number;
  maxWeight: number;
}

export interface Hook {
  url: string;
  hits: () => number;
  close: () => Promise<void>;
}

/** An HTTP server on 127.0.0.1 that answers 200 to everything. */
export async function startHook(): Promise<Hook> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    hits: () => hits,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export async function pool<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await retry(() => fn(items[i], i));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function retry<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code === 409 && i > 1) return undefined as T; // created by an earlier attempt
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 200 * i));
    }
  }
}

export const appName = (i: number) => `app-${String(i).padStart(4, '0')}`;

function canaryBody(c: ControllerName, namespace: string, name: string, a: Analysis, hookUrl: string) {
  const { group, version } = CANARY_API[c];
  return {
    apiVersion: `${group}/${version}`,
    kind: 'Canary',
    metadata: { name, namespace },
    spec: {
      provider: 'nginx',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name },
      progressDeadlineSeconds: 600,
      service: { port: 80, targetPort: 9898 },
      analysis: {
        interval: a.interval,
        threshold: 5,
        maxWeight: a.maxWeight,
        stepWeight: a.stepWeight,
        webhooks: [{ name: 'always-ok', type: 'rollout', url: hookUrl, timeout: '5s' }],
      },
    },
  };
}

/**
 * Creates n apps and their Canaries for controller c, app i in namespaces[i % K] (the namespaces
 * are created if missing); returns each app's namespace by name (app names are unique in the run).
 */
export async function createWorkload(
  kube: Kube,
  c: ControllerName,
  namespaces: string[],
  n: number,
  a: Analysis,
  hookUrl: string,
): Promise<Map<string, string>> {
  for (const namespace of namespaces) {
    await ensureNamespace(kube, namespace);
    // The default ServiceAccount must exist before pods can be created.
    for (let i = 0; i < 200; i++) {
      try {
        await kube.core.readNamespacedServiceAccount({ name: 'default', namespace });
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
  const placement = new Map(
    Array.from({ length: n }, (_, i) => [appName(i), namespaces[i % namespaces.length]]),
  );
  const { group, version } = CANARY_API[c];
  await pool([...placement], 16, async ([name, namespace]) => {
    await kube.apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name, labels: { app: name } },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: {
              containers: [
                { name: 'podinfod', image: `${IMAGE}:6.0.0`, ports: [{ name: 'http', containerPort: 9898 }] },
              ],
            },
          },
        },
      },
    });
    await kube.networking.createNamespacedIngress({
      namespace,
      body: {
        metadata: { name, annotations: { 'kubernetes.io/ingress.class': 'nginx' } },
        spec: {
          ingressClassName: 'nginx',
          rules: [
            {
              host: `${name}.example.com`,
              http: {
                paths: [
                  { path: '/', pathType: 'Prefix', backend: { service: { name, port: { number: 80 } } } },
                ],
              },
            },
          ],
        },
      },
    });
    await kube.custom.createNamespacedCustomObject({
      group,
      version,
      plural: 'canaries',
      namespace,
      body: canaryBody(c, namespace, name, a, hookUrl),
    });
  });
  return placement;
}

/** Bumps the image of every app as fast as the API server takes it; returns when each was bumped. */
export async function bumpImages(kube: Kube, placement: Map<string, string>, tag: string) {
  const at = new Map<string, number>();
  await pool([...placement], 16, async ([name, namespace]) => {
    const t = Date.now();
    await kube.apps.patchNamespacedDeployment({
      name,
      namespace,
      body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: `${IMAGE}:${tag}` }],
    });
    at.set(name, t);
  });
  return at;
}
