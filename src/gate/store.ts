/**
 * Where the gate API keeps its state: annotations on the Canary, so that it survives restarts, and an
 * Event on the Canary for every change, naming who made it. The gate never writes status: status
 * belongs to the controller's reconciler, and the annotation is the record of the approval.
 */
import { hostname } from 'node:os';
import type { Kube } from '../kube/client.ts';
import { patchCanary, readCanary } from '../kube/canaries.ts';
import { GATE_FIELD_MANAGER } from '../kube/field-managers.ts';
import { KubeWriter } from '../kube/writer.ts';

/** What the gate API needs to know about a Canary. */
export interface GateCanary {
  uid?: string;
  /** status.revision: the revision of the pending or current release, when one was recorded. */
  revision?: string;
  annotations: Record<string, string>;
}

export interface GateEvent {
  reason: string;
  action: string;
  note: string;
}

export interface GateStore {
  /** The Canary; undefined when there is no such Canary. */
  read(namespace: string, name: string): Promise<GateCanary | undefined>;
  /** Sets one annotation on the Canary; the Canary after the change, undefined when there is none. */
  annotate(namespace: string, name: string, key: string, value: string): Promise<GateCanary | undefined>;
  /** Records a change as a Normal Event on the Canary. */
  event(namespace: string, name: string, uid: string | undefined, event: GateEvent): Promise<void>;
}

function view(canary: {
  metadata: { uid?: string; annotations?: Record<string, string> };
  status?: { revision?: string };
}): GateCanary {
  return {
    uid: canary.metadata.uid,
    revision: canary.status?.revision || undefined,
    annotations: canary.metadata.annotations ?? {},
  };
}

/** Gate state as annotations on the Canary objects of the cluster; Events written as `instance`. */
export function kubeGateStore(kube: Kube, instance = `${hostname()}-gate`): GateStore {
  const writer = new KubeWriter(kube, instance);
  return {
    async read(namespace, name) {
      const canary = await readCanary(kube, namespace, name);
      return canary ? view(canary) : undefined;
    },
    async annotate(namespace, name, key, value) {
      const patched = await patchCanary(
        kube,
        namespace,
        name,
        { metadata: { annotations: { [key]: value } } },
        GATE_FIELD_MANAGER,
      );
      return patched ? view(patched) : undefined;
    },
    async event(namespace, name, uid, event) {
      await writer.createEvent({
        namespace,
        regarding: { apiVersion: 'kanaria.dev/v1beta1', kind: 'Canary', name, uid },
        type: 'Normal',
        now: new Date(),
        ...event,
      });
    },
  };
}

export interface MemoryCanary {
  revision?: string;
  annotations: Record<string, string>;
}

/** Gate state in memory, for tests of the routes; events are collected in `events`. */
export function memoryGateStore(canaries: Record<string, MemoryCanary> = {}): GateStore & {
  canaries: Record<string, MemoryCanary>;
  events: (GateEvent & { namespace: string; name: string })[];
} {
  const key = (namespace: string, name: string) => `${namespace}/${name}`;
  const copy = (c: MemoryCanary): GateCanary => ({ revision: c.revision, annotations: { ...c.annotations } });
  const events: (GateEvent & { namespace: string; name: string })[] = [];
  return {
    canaries,
    events,
    async read(namespace, name) {
      const c = canaries[key(namespace, name)];
      return c ? copy(c) : undefined;
    },
    async annotate(namespace, name, k, value) {
      const c = canaries[key(namespace, name)];
      if (!c) return undefined;
      c.annotations[k] = value;
      return copy(c);
    },
    async event(namespace, name, _uid, event) {
      events.push({ namespace, name, ...event });
    },
  };
}
