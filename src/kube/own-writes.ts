import { resourceVersionNumber } from './resource-version.ts';
import type { KubernetesObject } from './types.ts';

/** Told whether a watch event is the echo of one of our own writes. */
export type EchoVerdict = (echo: boolean) => void;

/**
 * The resourceVersions our own writes got back, until the watch shows them: a watch event carrying one
 * of them is the echo of our write (nobody else changed the object in between), which the controller
 * need not reconcile again when the write's reconcile has already planned the next one. An event of the
 * object ends every entry up to its version, so the registry holds only writes whose echo is still due.
 * The API server may send the watch event before the write's answer: an event of an object with a write
 * in flight waits for that answer before it is judged.
 */
export class OwnWrites {
  private readonly written = new Map<string, string[]>();
  private readonly inFlight = new Map<string, number>();
  private readonly waiting = new Map<string, { version: string; verdict: EchoVerdict }[]>();

  /** Runs one write of `resource` (plural: `canaries`, `ingresses`, …) and remembers the version it returns. */
  async track<T>(
    resource: string,
    namespace: string | undefined,
    name: string | undefined,
    write: () => Promise<T>,
    versionOf: (answer: T) => string | undefined,
  ): Promise<T> {
    const key = keyOf(resource, namespace, name);
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    let version: string | undefined;
    try {
      const answer = await write();
      version = versionOf(answer);
      return answer;
    } finally {
      const left = (this.inFlight.get(key) ?? 1) - 1;
      if (left > 0) this.inFlight.set(key, left);
      else this.inFlight.delete(key);
      if (version) this.remember(key, version);
      this.judgeWaiting(key);
    }
  }

  /** Tells `verdict` whether `obj` is the echo of one of our writes: now, or once the write in flight answers. */
  classify(resource: string, obj: KubernetesObject, verdict: EchoVerdict): void {
    const key = keyOf(resource, obj.metadata?.namespace, obj.metadata?.name);
    const seen = obj.metadata?.resourceVersion;
    if (!seen) return verdict(false);
    if (this.consume(key, seen)) return verdict(true);
    if (!this.inFlight.has(key)) return verdict(false);
    const list = this.waiting.get(key) ?? [];
    list.push({ version: seen, verdict });
    this.waiting.set(key, list);
  }

  /** Writes whose echo has not arrived, and events waiting for a write's answer (for tests). */
  get size(): number {
    return this.written.size + this.waiting.size;
  }

  private remember(key: string, version: string): void {
    const versions = this.written.get(key) ?? [];
    // A few writes of one object can be in flight; more means their echoes were lost (a watch restart).
    this.written.set(key, [...versions.slice(-(MAX_PENDING - 1)), version]);
  }

  private judgeWaiting(key: string): void {
    const list = this.waiting.get(key);
    if (!list) return;
    this.waiting.delete(key);
    const still: { version: string; verdict: EchoVerdict }[] = [];
    for (const event of list) {
      if (this.consume(key, event.version)) event.verdict(true);
      else if (this.inFlight.has(key)) still.push(event);
      else event.verdict(false);
    }
    if (still.length > 0) this.waiting.set(key, still);
  }

  /** True when `seen` is a version one of our writes returned; forgets the writes up to it. */
  private consume(key: string, seen: string): boolean {
    const versions = this.written.get(key);
    if (!versions) return false;
    const seenNumber = resourceVersionNumber(seen);
    const later = versions.filter((v) => {
      const n = resourceVersionNumber(v);
      return v !== seen && n !== undefined && seenNumber !== undefined && n > seenNumber;
    });
    if (later.length > 0) this.written.set(key, later);
    else this.written.delete(key);
    return versions.includes(seen);
  }
}

const MAX_PENDING = 4;

const keyOf = (resource: string, namespace: string | undefined, name: string | undefined) =>
  `${resource}/${namespace ?? ''}/${name ?? ''}`;

/** The resource of an object's kind as the API server names it (Ingress → ingresses). */
export function resourceOfKind(kind: string | undefined): string {
  const lower = (kind ?? '').toLowerCase();
  return lower.endsWith('s') ? `${lower}es` : `${lower}s`;
}
