import type { Canary } from '../api/types.ts';

/** The kinds of objects a Canary names in its spec. */
export type ReferencedKind = 'Deployment' | 'Ingress' | 'HorizontalPodAutoscaler';

/**
 * Which Canaries name which Deployment, Ingress and HPA, per namespace, kept up to date from the Canary
 * watch: a watch event of one of those objects, and the check that two Canaries never drive one object,
 * look up the few Canaries concerned instead of going through every Canary of the namespace.
 */
export class CanaryIndex {
  /** `namespace/kind/name` → names of the Canaries that name it. */
  private readonly byObject = new Map<string, Set<string>>();
  /** `namespace/name` of a Canary → the entries it is listed under. */
  private readonly listedUnder = new Map<string, string[]>();

  /** Replaces everything with `canaries` (when the cache has listed). */
  reset(canaries: Canary[]): void {
    this.byObject.clear();
    this.listedUnder.clear();
    for (const canary of canaries) this.update(canary.metadata.namespace, canary.metadata.name, canary);
  }

  /** The Canary `namespace/name` is now `canary` (undefined: deleted). */
  update(namespace: string | undefined, name: string | undefined, canary: Canary | undefined): void {
    const ns = namespace ?? '';
    if (!name) return;
    const key = `${ns}/${name}`;
    const entries = canary ? entriesOf(ns, canary) : [];
    const before = this.listedUnder.get(key) ?? [];
    if (sameList(before, entries)) return;
    for (const entry of before) {
      const names = this.byObject.get(entry);
      names?.delete(name);
      if (names?.size === 0) this.byObject.delete(entry);
    }
    for (const entry of entries) {
      const names = this.byObject.get(entry) ?? new Set<string>();
      names.add(name);
      this.byObject.set(entry, names);
    }
    if (entries.length > 0) this.listedUnder.set(key, entries);
    else this.listedUnder.delete(key);
  }

  /** Names of the Canaries of `namespace` whose spec names the `kind` object `name`. */
  naming(namespace: string | undefined, kind: ReferencedKind, name: string | undefined): string[] {
    if (!name) return [];
    return [...(this.byObject.get(`${namespace ?? ''}/${kind}/${name}`) ?? [])];
  }
}

function entriesOf(ns: string, canary: Canary): string[] {
  const spec = canary.spec ?? {};
  const entries: string[] = [];
  const add = (kind: ReferencedKind, name: unknown) => {
    if (typeof name === 'string' && name !== '') entries.push(`${ns}/${kind}/${name}`);
  };
  add('Deployment', spec.targetRef?.name);
  add('Ingress', spec.ingressRef?.name);
  add('HorizontalPodAutoscaler', spec.autoscalerRef?.name);
  return entries;
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((entry, i) => entry === b[i]);
}
