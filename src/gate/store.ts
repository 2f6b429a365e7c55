/** Where the gate API keeps its state: annotations on the Canary, so that it survives restarts. */
import type { Kube } from '../kube/client.ts';
import { patchCanary, readCanary } from '../kube/canaries.ts';

export interface GateStore {
  /** The Canary's annotations; undefined when there is no such Canary. */
  annotations(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  /** Sets one annotation on the Canary; false when there is no such Canary. */
  annotate(namespace: string, name: string, key: string, value: string): Promise<boolean>;
}

/** Gate state as annotations on the Canary objects of the cluster. */
export function kubeGateStore(kube: Kube): GateStore {
  return {
    async annotations(namespace, name) {
      const canary = await readCanary(kube, namespace, name);
      return canary ? (canary.metadata.annotations ?? {}) : undefined;
    },
    async annotate(namespace, name, key, value) {
      const patched = await patchCanary(kube, namespace, name, {
        metadata: { annotations: { [key]: value } },
      });
      return patched !== undefined;
    },
  };
}

/** Gate state in memory, for tests of the routes. */
export function memoryGateStore(canaries: Record<string, Record<string, string>> = {}): GateStore & {
  canaries: Record<string, Record<string, string>>;
} {
  const key = (namespace: string, name: string) => `${namespace}/${name}`;
  return {
    canaries,
    async annotations(namespace, name) {
      return canaries[key(namespace, name)];
    },
    async annotate(namespace, name, k, value) {
      const annotations = canaries[key(namespace, name)];
      if (!annotations) return false;
      annotations[k] = value;
      return true;
    },
  };
}
