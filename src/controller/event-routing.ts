/**
 * Which Canaries a watch event concerns, and how each is queued: a change someone else made is
 * reconciled soon (events of one change coalesce), the echo of our own write goes through the echo gate.
 */
import type { Canary } from '../api/types.ts';
import type { OwnWrites } from '../kube/own-writes.ts';
import { resourceOfKind } from '../kube/own-writes.ts';
import type { KubernetesObject, V1Deployment } from '../kube/types.ts';
import { referencedConfigs } from '../resources/configs.ts';
import type { Caches } from './caches.ts';
import type { CanaryIndex } from './canary-index.ts';
import type { EchoGate } from './echoes.ts';
import type { WorkQueue } from './queue.ts';

/** The work-queue key of the Canary `namespace/name`. */
export const keyOf = (ns: string | undefined, name: string | undefined) => `${ns ?? ''}/${name ?? ''}`;

export interface EventRoutingOptions {
  queue: WorkQueue;
  echoes: EchoGate;
  index: CanaryIndex;
  ownWrites: OwnWrites;
  /** The watch caches; read on each event, since they are set once they have started. */
  caches: () => Caches;
}

export class EventRouting {
  private readonly o: EventRoutingOptions;

  constructor(options: EventRoutingOptions) {
    this.o = options;
  }

  /** An object of `kind` changed: the Canaries in its namespace it may concern are queued. */
  related(obj: KubernetesObject, kind: string): void {
    const ns = obj.metadata?.namespace;
    const name = obj.metadata?.name;
    const keys: string[] = [];
    for (const ref of obj.metadata?.ownerReferences ?? [])
      if (ref.kind === 'Canary' && ref.apiVersion.startsWith('kanaria.dev/')) keys.push(keyOf(ns, ref.name));
    if (kind === 'Deployment' || kind === 'Ingress' || kind === 'HorizontalPodAutoscaler')
      for (const canaryName of this.o.index.naming(ns, kind, name)) keys.push(keyOf(ns, canaryName));
    else if (kind === 'ConfigMap' || kind === 'Secret')
      for (const c of this.o.caches().canaries.list(ns) as Canary[])
        if (this.usesConfig(c, kind, name)) keys.push(keyOf(ns, c.metadata.name));
    this.o.ownWrites.classify(resourceOfKind(kind), obj, (echo) => {
      for (const key of keys)
        if (echo) this.o.echoes.echo(key, kind);
        else this.o.queue.addSoon(key, kind);
    });
  }

  /** A Canary changed: reconciled soon, unless the change is the echo of our own status write. */
  canaryChanged(obj: KubernetesObject): void {
    const { namespace, name } = obj.metadata ?? {};
    const key = keyOf(namespace, name);
    this.o.index.update(
      namespace,
      name,
      this.o.caches().canaries.get(name ?? '', namespace) as Canary | undefined,
    );
    this.o.ownWrites.classify('canaries', obj, (echo) =>
      echo ? this.o.echoes.echo(key, 'Canary') : this.o.queue.addSoon(key, 'Canary'),
    );
  }

  private usesConfig(c: Canary, kind: string, name: string | undefined): boolean {
    const target = this.o.caches().deployments.get(c.spec.targetRef?.name, c.metadata.namespace) as
      V1Deployment | undefined;
    const want = kind === 'ConfigMap' ? 'configmap' : 'secret';
    return referencedConfigs(target?.spec?.template.spec).some((r) => r.kind === want && r.name === name);
  }
}
