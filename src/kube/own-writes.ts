import type { KubernetesObject } from './types.ts';

/**
 * The resourceVersions our own writes got back, until the watch shows them: a watch event carrying one
 * of them is the echo of our write (nobody else changed the object in between), which the controller
 * need not reconcile again when the write's reconcile has already planned the next one. An event of the
 * object ends every entry up to its version, so the registry holds only writes whose echo is still due.
 */
export class OwnWrites {
  private readonly written = new Map<string, string[]>();

  /** Remembers a write of `resource` (plural: `canaries`, `ingresses`, …) that returned `resourceVersion`. */
  note(
    resource: string,
    namespace: string | undefined,
    name: string | undefined,
    resourceVersion?: string,
  ): void {
    if (!name || !resourceVersion) return;
    const key = keyOf(resource, namespace, name);
    const versions = this.written.get(key) ?? [];
    // A few writes of one object can be in flight; more means their echoes were lost (a watch restart).
    this.written.set(key, [...versions.slice(-(MAX_PENDING - 1)), resourceVersion]);
  }

  /** True when `obj` is exactly what one of our writes of it returned; forgets the writes up to it. */
  isEcho(resource: string, obj: KubernetesObject): boolean {
    const key = keyOf(resource, obj.metadata?.namespace, obj.metadata?.name);
    const versions = this.written.get(key);
    const seen = obj.metadata?.resourceVersion;
    if (!versions || !seen) return false;
    const at = versions.indexOf(seen);
    const seenNumber = numberOf(seen);
    const later = versions.filter((v) => {
      const n = numberOf(v);
      return v !== seen && n !== undefined && seenNumber !== undefined && n > seenNumber;
    });
    if (later.length > 0) this.written.set(key, later);
    else this.written.delete(key);
    return at >= 0;
  }

  /** Writes whose echo has not arrived (for tests and metrics). */
  get size(): number {
    return this.written.size;
  }
}

const MAX_PENDING = 4;

function numberOf(resourceVersion: string): bigint | undefined {
  try {
    return BigInt(resourceVersion);
  } catch {
    return undefined;
  }
}

const keyOf = (resource: string, namespace: string | undefined, name: string | undefined) =>
  `${resource}/${namespace ?? ''}/${name ?? ''}`;

/** The resource of an object's kind as the API server names it (Ingress → ingresses). */
export function resourceOfKind(kind: string | undefined): string {
  const lower = (kind ?? '').toLowerCase();
  return lower.endsWith('s') ? `${lower}es` : `${lower}s`;
}
