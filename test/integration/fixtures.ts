import type { Kube } from '../../src/kube/client.ts';
import type { Canary, CanaryAnalysis } from '../../src/api/types.ts';
import { waitFor } from './helpers.ts';

export const PODINFO_IMAGE = 'ghcr.io/stefanprodan/podinfo';

/** A podinfo-like app as in the reference walkthrough: Deployment (with a ConfigMap) and Ingress. */
export async function createPodinfo(
  kube: Kube,
  namespace: string,
  opts: { replicas?: number; name?: string } = {},
) {
  const name = opts.name ?? 'podinfo';
  await kube.core.createNamespacedConfigMap({
    namespace,
    body: {
      metadata: { name: `${name}-config` },
      data: { 'message.txt': 'hello v1' },
      binaryData: { 'logo.bin': 'AAEC' },
    },
  });
  await kube.apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name, labels: { app: name } },
      spec: {
        replicas: opts.replicas ?? 2,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name }, annotations: { 'prometheus.io/scrape': 'true' } },
          spec: {
            containers: [
              {
                name: 'podinfod',
                image: `${PODINFO_IMAGE}:6.0.0`,
                ports: [{ name: 'http', containerPort: 9898 }],
                envFrom: [{ configMapRef: { name: `${name}-config` } }],
                volumeMounts: [{ name: 'config', mountPath: '/config' }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name: `${name}-config` } }],
          },
        },
      },
    },
  });
  await kube.networking.createNamespacedIngress({
    namespace,
    body: {
      metadata: {
        name,
        annotations: {
          'kubernetes.io/ingress.class': 'nginx',
          'nginx.ingress.kubernetes.io/canary-weight': '99',
        },
      },
      spec: {
        ingressClassName: 'nginx',
        rules: [
          {
            host: 'app.example.com',
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
}

export function canaryManifest(
  namespace: string,
  analysis: Partial<CanaryAnalysis> = {},
  name = 'podinfo',
): Canary {
  return {
    apiVersion: 'kanaria.dev/v1beta1',
    kind: 'Canary',
    metadata: { name, namespace },
    spec: {
      provider: 'nginx',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name },
      progressDeadlineSeconds: 60,
      service: { port: 80, targetPort: 9898 },
      analysis: { interval: '2s', threshold: 2, maxWeight: 50, stepWeight: 10, ...analysis },
    },
  };
}

export async function createCanary(kube: Kube, canary: Canary): Promise<void> {
  await kube.custom.createNamespacedCustomObject({
    group: 'kanaria.dev',
    version: 'v1beta1',
    plural: 'canaries',
    namespace: canary.metadata.namespace!,
    body: canary,
  });
}

export async function deleteCanary(kube: Kube, namespace: string, name = 'podinfo'): Promise<void> {
  await kube.custom.deleteNamespacedCustomObject({
    group: 'kanaria.dev',
    version: 'v1beta1',
    plural: 'canaries',
    namespace,
    name,
  });
}

export async function getCanary(kube: Kube, namespace: string, name = 'podinfo'): Promise<Canary> {
  return (await kube.custom.getNamespacedCustomObject({
    group: 'kanaria.dev',
    version: 'v1beta1',
    plural: 'canaries',
    namespace,
    name,
  })) as Canary;
}

export async function setImage(kube: Kube, namespace: string, tag: string, name = 'podinfo'): Promise<void> {
  // A JSON patch of the one field (the client's default patch type): no read-modify-write race with the
  // controllers that update the Deployment at the same time.
  await kube.apps.patchNamespacedDeployment({
    name,
    namespace,
    body: [
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: `${PODINFO_IMAGE}:${tag}` },
    ],
  });
}

/** Records every distinct canary-weight value the canary Ingress carries, polling every 50ms. */
export function recordWeights(kube: Kube, namespace: string, ingress = 'podinfo-canary') {
  const seen: number[] = [];
  let stopped = false;
  const sampleOnce = async () => {
    try {
      const ing = await kube.networking.readNamespacedIngress({ name: ingress, namespace });
      const w = Number(ing.metadata?.annotations?.['nginx.ingress.kubernetes.io/canary-weight']);
      if (Number.isFinite(w) && seen[seen.length - 1] !== w) seen.push(w);
    } catch {
      /* not there yet */
    }
  };
  const loop = (async () => {
    while (!stopped) {
      await sampleOnce();
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    seen,
    /** Stops polling after one last sample, so a change made just before the call is never missed. */
    stop: async () => {
      stopped = true;
      await loop;
      await sampleOnce();
    },
  };
}

/** The Canary's events in the order they were created (etcd revisions only grow). */
export async function eventsOf(
  kube: Kube,
  namespace: string,
  name = 'podinfo',
): Promise<{ type: string; note: string }[]> {
  const list = await kube.events.listNamespacedEvent({ namespace, fieldSelector: `regarding.name=${name}` });
  return list.items
    .map((e) => ({ type: e.type ?? '', note: e.note ?? '', rv: BigInt(e.metadata?.resourceVersion ?? '0') }))
    .sort((a, b) => (a.rv < b.rv ? -1 : a.rv > b.rv ? 1 : 0))
    .map(({ type, note }) => ({ type, note }));
}

/**
 * The Canary's event notes once `ready` holds for them, or as they are after `timeoutMs`. Events are
 * recorded after the status write of the same decision, so a test that saw the status waits here
 * for the Event; the caller's assertion then names what is missing.
 */
export async function notesOnceSeen(
  kube: Kube,
  namespace: string,
  name: string,
  ready: (notes: string[]) => boolean,
  timeoutMs = 10_000,
): Promise<string[]> {
  const notes = async () => (await eventsOf(kube, namespace, name)).map((e) => e.note);
  await waitFor('the Events of the decision', async () => ready(await notes()), timeoutMs).catch(
    () => undefined,
  );
  return notes();
}
