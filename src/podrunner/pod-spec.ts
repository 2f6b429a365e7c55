/**
 * Which pods get a SIMULATED container process, and with what: pure functions of the Pod object (and,
 * for env taken from ConfigMaps and Secrets, of a lookup the caller provides).
 */
import type { KubernetesObject, V1Container, V1PodSpec } from '../kube/types.ts';
import { imageVersion } from './image.ts';

/** The parts of a Pod the runner reads. */
export interface Pod extends KubernetesObject {
  spec?: V1PodSpec;
  status?: { phase?: string; podIP?: string; hostIP?: string };
}

type EnvVar = NonNullable<V1Container['env']>[number];

/** podinfo's default port, listened on when the container declares no TCP port. */
export const DEFAULT_PORT = 9898;

/** What one pod's process is started with. */
export interface PodTarget {
  uid: string;
  namespace: string;
  name: string;
  ip: string;
  /** The container's TCP container ports (all of them are listened on), or podinfo's 9898. */
  ports: number[];
  container: string;
  image: string;
  version: string;
  /** The pod's creation time, for a stable order when there are more pods than processes allowed. */
  created: number;
  /** The pod's labels when it was started (who owns it: e.g. `app: podinfo-primary`). */
  labels?: Record<string, string>;
}

/** Why a pod gets no process (yet), or its target. */
export type PodDecision = { target: PodTarget } | { skip: string };

/** The container that is simulated: the first one (init containers and sidecars are not simulated). */
export function simulatedContainer(pod: Pod): V1Container | undefined {
  return pod.spec?.containers?.[0];
}

/**
 * A pod gets a process while it is Running, has a pod IP and is not being deleted, like a kubelet's
 * containers; host-network pods (which would share the node's address) get none.
 */
export function decide(pod: Pod): PodDecision {
  const meta = pod.metadata ?? {};
  if (!meta.uid || !meta.name || !meta.namespace) return { skip: 'no uid, name or namespace' };
  if (meta.deletionTimestamp) return { skip: 'being deleted' };
  if (pod.spec?.hostNetwork) return { skip: 'host network' };
  if (pod.status?.phase !== 'Running') return { skip: `phase ${pod.status?.phase ?? 'unknown'}` };
  const ip = pod.status?.podIP;
  if (!ip) return { skip: 'no pod IP' };
  const container = simulatedContainer(pod);
  if (!container?.image) return { skip: 'no container image' };
  const declared = (container.ports ?? [])
    .filter((p) => (p.protocol ?? 'TCP') === 'TCP' && Number.isInteger(p.containerPort))
    .map((p) => p.containerPort);
  const ports = declared.length > 0 ? [...new Set(declared)].sort((a, b) => a - b) : [DEFAULT_PORT];
  const created = meta.creationTimestamp ? new Date(meta.creationTimestamp).getTime() : 0;
  return {
    target: {
      uid: meta.uid,
      namespace: meta.namespace,
      name: meta.name,
      ip,
      ports,
      container: container.name,
      image: container.image,
      version: imageVersion(container.image),
      created: Number.isFinite(created) ? created : 0,
      labels: { ...meta.labels },
    },
  };
}

/** Two targets that need no restart of the process between them. */
export function sameTarget(a: PodTarget, b: PodTarget): boolean {
  return (
    a.uid === b.uid &&
    a.ip === b.ip &&
    a.image === b.image &&
    a.container === b.container &&
    a.ports.join(',') === b.ports.join(',')
  );
}

/** Reads the data of a ConfigMap or (decoded) Secret; undefined when it does not exist. */
export interface EnvSources {
  configMap(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  secret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
}

export class EnvError extends Error {
  readonly code = 'EENV';
}

const VARIABLE_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** `$(NAME)` references to variables defined before, `$$` for a literal `$`, as a kubelet expands them. */
export function expand(value: string, defined: Readonly<Record<string, string>>): string {
  return value.replace(/\$\$|\$\(([^)]*)\)/g, (whole, name: string | undefined) => {
    if (whole === '$$') return '$';
    return name !== undefined && Object.hasOwn(defined, name) ? defined[name] : whole;
  });
}

function fieldValue(pod: Pod, path: string): string | undefined {
  const meta = pod.metadata ?? {};
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (keyed) return (keyed[1] === 'labels' ? meta.labels : meta.annotations)?.[keyed[2]];
  const fields: Record<string, string | undefined> = {
    'metadata.name': meta.name,
    'metadata.namespace': meta.namespace,
    'metadata.uid': meta.uid,
    'spec.nodeName': pod.spec?.nodeName,
    'spec.serviceAccountName': pod.spec?.serviceAccountName,
    'status.podIP': pod.status?.podIP,
    'status.hostIP': pod.status?.hostIP,
  };
  return fields[path];
}

/**
 * The simulated container's environment, resolved the way a kubelet does at container start: `envFrom`
 * sources first (with their prefix), then `env` entries in order (literal values with `$(VAR)` expansion,
 * `fieldRef`s, ConfigMap and Secret keys); a missing required source is an error, a missing optional one
 * is left out. `resourceFieldRef`s are left out (a simulated container has no resources). HOSTNAME is
 * the pod's name, as in a container.
 */
export async function resolveEnv(pod: Pod, sources: EnvSources): Promise<Record<string, string>> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const container = simulatedContainer(pod);
  const env: Record<string, string> = { HOSTNAME: pod.metadata?.name ?? '' };
  for (const from of container?.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref?.name) continue;
    const kind = from.configMapRef ? 'ConfigMap' : 'Secret';
    const data = await (from.configMapRef ? sources.configMap : sources.secret)(namespace, ref.name);
    if (!data) {
      if (ref.optional) continue;
      throw new EnvError(`${kind} ${namespace}/${ref.name} (envFrom) not found`);
    }
    for (const [key, value] of Object.entries(data)) {
      const name = (from.prefix ?? '') + key;
      if (VARIABLE_NAME.test(name)) env[name] = value;
    }
  }
  for (const entry of container?.env ?? []) {
    const value = await envValue(pod, namespace, entry, env, sources);
    if (value !== undefined) env[entry.name] = value;
  }
  return env;
}

async function envValue(
  pod: Pod,
  namespace: string,
  entry: EnvVar,
  defined: Readonly<Record<string, string>>,
  sources: EnvSources,
): Promise<string | undefined> {
  const from = entry.valueFrom;
  if (!from) return expand(entry.value ?? '', defined);
  if (from.fieldRef) return fieldValue(pod, from.fieldRef.fieldPath);
  const keyRef = from.configMapKeyRef ?? from.secretKeyRef;
  if (!keyRef) return undefined;
  const kind = from.configMapKeyRef ? 'ConfigMap' : 'Secret';
  const data = await (from.configMapKeyRef ? sources.configMap : sources.secret)(
    namespace,
    keyRef.name ?? '',
  );
  const value = data?.[keyRef.key];
  if (value === undefined && !keyRef.optional)
    throw new EnvError(
      `${entry.name}: ${data ? `key "${keyRef.key}" of ` : ''}${kind} ${namespace}/${keyRef.name} not found`,
    );
  return value;
}
