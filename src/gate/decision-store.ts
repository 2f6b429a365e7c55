/** Decisions about releases kept on the Canary objects of a cluster (annotations), with Events. */
import { hostname } from 'node:os';
import { openPauseSince } from '../api/steps.ts';
import type { Kube } from '../kube/client.ts';
import { patchCanary, readCanary } from '../kube/canaries.ts';
import { GATE_FIELD_MANAGER } from '../kube/field-managers.ts';
import { KubeWriter } from '../kube/writer.ts';
import type { DecisionCanary, DecisionStore } from './approval.ts';

export function kubeDecisionStore(kube: Kube, instance = `${hostname()}-gate`): DecisionStore {
  const writer = new KubeWriter(kube, instance);
  return {
    async read(namespace, name) {
      const c = await readCanary(kube, namespace, name);
      if (!c) return undefined;
      return {
        uid: c.metadata.uid,
        phase: c.status?.phase,
        revision: c.status?.revision || undefined,
        annotations: c.metadata.annotations ?? {},
        openPauseSince: openPauseSince(c),
      };
    },
    async annotate(namespace, name, annotations) {
      return Boolean(
        await patchCanary(kube, namespace, name, { metadata: { annotations } }, GATE_FIELD_MANAGER),
      );
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

/** Decisions in memory, for tests; annotation writes and Events are collected. */
export function memoryDecisionStore(canaries: Record<string, DecisionCanary> = {}) {
  const events: { namespace: string; name: string; reason: string; note: string }[] = [];
  const store: DecisionStore = {
    async read(namespace, name) {
      const c = canaries[`${namespace}/${name}`];
      return c ? { ...c, annotations: { ...c.annotations } } : undefined;
    },
    async annotate(namespace, name, annotations) {
      const c = canaries[`${namespace}/${name}`];
      if (!c) return false;
      Object.assign(c.annotations, annotations);
      return true;
    },
    async event(namespace, name, _uid, event) {
      events.push({ namespace, name, reason: event.reason, note: event.note });
    },
  };
  return { store, canaries, events };
}
