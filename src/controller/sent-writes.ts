import { resourceVersionNumber } from '../kube/resource-version.ts';
import type { KubernetesObject } from '../kube/types.ts';

/**
 * This process's last write of each object until the watch cache shows it: the same object written again
 * before then (by the next action of the same reconcile, or a reconcile woken by the status write) is not
 * sent twice. Any newer version of the object, someone else's edit included, ends the entry.
 */
export class SentWrites {
  private readonly writes = new Map<string, { hash: string; rv: bigint }>();

  /** Notes that `key` was written as `hash` and the API server answered with resourceVersion `rv`. */
  note(key: string, hash: string, rv: string | undefined): void {
    const written = resourceVersionNumber(rv);
    if (written !== undefined) this.writes.set(key, { hash, rv: written });
  }

  /** True when `live` is older than our own last write of exactly `hash`: the API server has it already. */
  sentAlready(key: string, hash: string, live: KubernetesObject): boolean {
    const own = this.writes.get(key);
    if (!own) return false;
    const cached = resourceVersionNumber(live.metadata?.resourceVersion);
    if (cached === undefined || cached >= own.rv) {
      this.writes.delete(key);
      return false;
    }
    return own.hash === hash;
  }
}
