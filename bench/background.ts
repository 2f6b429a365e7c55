// The unrelated objects a real cluster holds besides the canaries: Helm release Secrets (100 KiB
// each), ConfigMaps and Deployments, most in namespaces of their own and a share in the canaries'
// namespaces. Both controllers run with the same background, so memory and start-up cost of
// whatever a controller watches beyond its Canaries show in the figures.
import { randomBytes } from 'node:crypto';
import type { Kube } from '../src/kube/client.ts';

/** Label on every background object (and the pod template of background Deployments). */
export const BG_LABEL = 'bench-background';

export interface BackgroundSize {
  namespaces: number;
  secrets: number;
  configMaps: number;
  deployments: number;
}

/** The cluster-wide part, in namespaces `bg-00`…, created once before the first run that wants it. */
export const BACKGROUND: BackgroundSize = {
  namespaces: 10,
  secrets: 500,
  configMaps: 2000,
  deployments: 1000,
};
/** Added to each run's canary namespaces (spread over them), so a namespaced controller sees some too. */
export const IN_CANARY_NAMESPACES: Omit<BackgroundSize, 'namespaces'> = {
  secrets: 50,
  configMaps: 200,
  deployments: 100,
};

const IN_FLIGHT = 20;
const RELEASE_KIB = 100;

export interface BackgroundReport extends BackgroundSize {
  /** Wall time to create the objects and for kube-controller-manager to make the Deployments' ReplicaSets. */
  createMs: number;
  /** Of which: creating the objects through the API. */
  apiMs: number;
}

const isConflict = (err: unknown) => (err as { code?: number }).code === 409;

/** Runs fn over items with at most `limit` in flight; a 409 (already exists) counts as done. */
async function bounded<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      for (let attempt = 1; ; attempt++) {
        try {
          await fn(item);
          break;
        } catch (err) {
          if (isConflict(err)) break;
          if (attempt >= 5) throw err;
          await new Promise((r) => setTimeout(r, 250 * attempt));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function ensureNamespace(kube: Kube, name: string): Promise<void> {
  await kube.core.createNamespace({ body: { metadata: { name } } }).catch((err: unknown) => {
    if (!isConflict(err)) throw err;
  });
}

/** `sh.helm.release.v1.<release>.v<version>` as Helm 3 stores a release (the payload is random). */
function helmSecret(release: string, version: number) {
  // Helm's value is base64 text (of gzipped JSON); the Secret's data holds it base64-encoded again.
  const text = randomBytes((RELEASE_KIB * 1024 * 3) / 4).toString('base64');
  return {
    metadata: {
      name: `sh.helm.release.v1.${release}.v${version}`,
      labels: {
        owner: 'helm',
        name: release,
        status: 'deployed',
        version: String(version),
        [BG_LABEL]: 'true',
      },
    },
    type: 'helm.sh/release.v1',
    data: { release: Buffer.from(text).toString('base64') },
  };
}

function configMap(name: string) {
  const lines = Array.from(
    { length: 40 + (name.length % 3) * 20 },
    (_, i) => `  key${i}: ${randomBytes(24).toString('hex')}`,
  );
  return {
    metadata: { name, labels: { app: name, [BG_LABEL]: 'true' } },
    data: { 'config.yaml': `settings:\n${lines.join('\n')}\n`, LOG_LEVEL: 'info' },
  };
}

/** replicas: 0, so no pods: the fake nodes and the scheduler do no work for them (see README). */
function deployment(name: string) {
  const labels = { app: name, [BG_LABEL]: 'true' };
  return {
    metadata: { name, labels },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'app',
              image: `registry.example.com/team/${name}:1.0.0`,
              ports: [{ name: 'http', containerPort: 8080 }],
              env: [
                { name: 'LOG_LEVEL', value: 'info' },
                { name: 'CONFIG', value: '/etc/app/config.yaml' },
              ],
              resources: { requests: { cpu: '50m', memory: '64Mi' } },
              volumeMounts: [{ name: 'config', mountPath: '/etc/app' }],
            },
          ],
          volumes: [{ name: 'config', configMap: { name } }],
        },
      },
    },
  };
}

type Item = { kind: 'secret' | 'configmap' | 'deployment'; namespace: string; name: string };

/** `count` objects of each kind, round-robin over `namespaces`, names prefixed with `prefix`. */
function plan(namespaces: string[], size: Omit<BackgroundSize, 'namespaces'>, prefix: string): Item[] {
  const items: Item[] = [];
  const add = (kind: Item['kind'], count: number, name: (i: number) => string) => {
    for (let i = 0; i < count; i++)
      items.push({ kind, namespace: namespaces[i % namespaces.length], name: name(i) });
  };
  const pad = (i: number) => String(i).padStart(4, '0');
  add('secret', size.secrets, (i) => `${prefix}rel-${pad(i)}`);
  add('configmap', size.configMaps, (i) => `${prefix}cfg-${pad(i)}`);
  add('deployment', size.deployments, (i) => `${prefix}svc-${pad(i)}`);
  return items;
}

async function create(kube: Kube, items: Item[]): Promise<void> {
  await bounded(items, IN_FLIGHT, ({ kind, namespace, name }) => {
    if (kind === 'secret') return kube.core.createNamespacedSecret({ namespace, body: helmSecret(name, 1) });
    if (kind === 'configmap')
      return kube.core.createNamespacedConfigMap({ namespace, body: configMap(name) });
    return kube.apps.createNamespacedDeployment({ namespace, body: deployment(name) });
  });
}

/**
 * Waits until kube-controller-manager has made a ReplicaSet for every background Deployment and
 * written its status, so that work (its client is limited to 20 requests/s) is over before a
 * controller starts.
 */
async function waitForDeploymentController(kube: Kube, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const labelSelector = `${BG_LABEL}=true`;
  for (;;) {
    const deployments = (await kube.apps.listDeploymentForAllNamespaces({ labelSelector })).items;
    const synced = deployments.filter(
      (d) => (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1),
    ).length;
    const replicaSets = (await kube.apps.listReplicaSetForAllNamespaces({ labelSelector })).items.length;
    if (synced === deployments.length && replicaSets >= deployments.length) return;
    if (Date.now() > deadline)
      throw new Error(
        `background: after ${timeoutMs / 1000}s, ${synced} of ${deployments.length} Deployments synced, ${replicaSets} ReplicaSets`,
      );
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** Creates the cluster-wide background (idempotent: what exists already is kept). */
export async function createBackground(kube: Kube, log: (l: string) => void): Promise<BackgroundReport> {
  const t0 = Date.now();
  const namespaces = Array.from(
    { length: BACKGROUND.namespaces },
    (_, i) => `bg-${String(i).padStart(2, '0')}`,
  );
  for (const ns of namespaces) await ensureNamespace(kube, ns);
  const items = plan(namespaces, BACKGROUND, '');
  log(
    `background: ${BACKGROUND.secrets} Helm release Secrets of ${RELEASE_KIB} KiB, ${BACKGROUND.configMaps} ConfigMaps, ` +
      `${BACKGROUND.deployments} Deployments (replicas 0) in ${namespaces.length} namespaces, ${IN_FLIGHT} in flight`,
  );
  await create(kube, items);
  const apiMs = Date.now() - t0;
  await waitForDeploymentController(kube);
  const createMs = Date.now() - t0;
  log(
    `background: created in ${(apiMs / 1000).toFixed(1)}s, ReplicaSets ready after ${(createMs / 1000).toFixed(1)}s`,
  );
  return { ...BACKGROUND, createMs, apiMs };
}

/** Adds the per-run share of background objects to the canaries' namespaces (which must exist). */
export async function addToCanaryNamespaces(kube: Kube, namespaces: string[]): Promise<number> {
  const t0 = Date.now();
  await create(kube, plan(namespaces, IN_CANARY_NAMESPACES, 'bg-'));
  await waitForDeploymentController(kube);
  return Date.now() - t0;
}
