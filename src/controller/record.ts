import type { Canary, CanaryStatus, PendingOutcome } from '../api/types.ts';
import { statusCode } from '../kube/client.ts';
import type { KubeWriter } from '../kube/writer.ts';
import { resourceVersionNumber } from '../kube/resource-version.ts';
import { stableJson } from '../resources/hash.ts';

/** Every status field the recorder writes; a field missing here would fail to compile, not vanish. */
const STATUS_FIELDS: Record<keyof Required<CanaryStatus>, true> = {
  phase: true,
  canaryWeight: true,
  failedChecks: true,
  iterations: true,
  lastAppliedSpec: true,
  lastPromotedSpec: true,
  trackedConfigs: true,
  promotedConfigs: true,
  lastTransitionTime: true,
  lastStepTime: true,
  waitingSince: true,
  canaryReplicas: true,
  revision: true,
  releaseStartTime: true,
  message: true,
  observedGeneration: true,
  conditions: true,
  trafficSince: true,
  pendingOutcome: true,
  previousWeight: true,
  observedSplit: true,
  migration: true,
  analysis: true,
  currentStep: true,
  stepStartTime: true,
  lastDecision: true,
};
const STATUS_KEYS = Object.keys(STATUS_FIELDS) as (keyof CanaryStatus)[];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The JSON merge patch (RFC 7386) value turning `before` into `after`: a merge patch merges objects key by
 * key, so a key that is gone, at any depth, must be sent as null to be removed (arrays are replaced whole).
 */
export function mergePatchValue(before: unknown, after: unknown): unknown {
  if (after === undefined) return null;
  if (!isPlainObject(before) || !isPlainObject(after)) return after;
  const patch: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)]))
    patch[key] = mergePatchValue(before[key], after[key]);
  return patch;
}

export class ConflictError extends Error {
  readonly code = 'ECONFLICT';
}

/**
 * What to throw for `err` of a write sent onto a resourceVersion: a 409 (the object moved since the
 * cache showed it) becomes a ConflictError, retried shortly and logged at debug; anything else as it is.
 */
export function conflictOr(err: unknown, what: string): unknown {
  return statusCode(err) === 409 ? new ConflictError(`${what} changed meanwhile`, { cause: err }) : err;
}

/**
 * Writes decisions into the Canary's status with the resourceVersion the decision was made from, so
 * a decision made from stale state is refused (409) before anything acts on it.
 */
export class StatusRecorder {
  private readonly writer: KubeWriter;
  /** resourceVersions of our own status writes the watch cache has not shown yet. */
  private readonly written = new Map<string, bigint>();

  constructor(writer: KubeWriter) {
    this.writer = writer;
  }

  forget(key: string): void {
    this.written.delete(key);
  }

  /** True while the watch cache still shows a Canary older than our own last write. */
  cacheIsBehind(key: string, cachedRv: string | undefined): boolean {
    const written = this.written.get(key);
    const cached = resourceVersionNumber(cachedRv);
    if (written === undefined || cached === undefined) return false;
    if (cached >= written) {
      this.written.delete(key);
      return false;
    }
    return true;
  }

  /** Records `status` unless it is what the Canary already says; returns the resourceVersion in force. */
  async record(canary: Canary, status: CanaryStatus): Promise<string | undefined> {
    if (stableJson(canary.status ?? {}) === stableJson(status)) return undefined;
    const patch: Record<string, unknown> = {};
    const before = (canary.status ?? {}) as Record<string, unknown>;
    for (const k of STATUS_KEYS) patch[k] = mergePatchValue(before[k], status[k]);
    return this.patch(canary, patch, canary.metadata.resourceVersion);
  }

  /** Clears a delivered outcome; one already cleared or replaced by a newer one is left as it is. */
  async clearOutcome(canary: Canary, id: string): Promise<void> {
    await this.ignoringOtherOutcome(canary, () =>
      this.writer.patchCanaryOutcome(canary.metadata.namespace!, canary.metadata.name, id, undefined),
    );
  }

  /** Keeps only `left` of the outcome `id` recorded, for another attempt. */
  async replaceOutcome(canary: Canary, id: string, left: PendingOutcome): Promise<void> {
    await this.ignoringOtherOutcome(canary, () =>
      this.writer.patchCanaryOutcome(canary.metadata.namespace!, canary.metadata.name, id, left),
    );
  }

  private async ignoringOtherOutcome(
    canary: Canary,
    write: () => Promise<string | undefined>,
  ): Promise<void> {
    try {
      this.noteWritten(canary, await write());
    } catch (err) {
      // 422: the id test failed (someone cleared or replaced it): nothing of ours to change.
      if (statusCode(err) !== 422) throw err;
    }
  }

  /**
   * A function to call before the first write of a reconcile whose status did not change: a status
   * patch that changes nothing but carries the resourceVersion, so the API server refuses it (409)
   * when the Canary moved on since the cache showed it (another writer, a newer leader, a stale
   * cache). Free when the decision was recorded (`recordedRv` set): that write was the check.
   */
  fence(canary: Canary, recordedRv: string | undefined): () => Promise<void> {
    let checked = recordedRv !== undefined;
    return async () => {
      if (checked) return;
      await this.patch(canary, {}, canary.metadata.resourceVersion);
      checked = true;
    };
  }

  /** Remembers our own write, so reconciles wait until the watch cache shows it (cacheIsBehind). */
  private noteWritten(canary: Canary, rv: string | undefined): void {
    const key = `${canary.metadata.namespace}/${canary.metadata.name}`;
    const parsed = resourceVersionNumber(rv);
    if (parsed !== undefined && parsed > (this.written.get(key) ?? 0n)) this.written.set(key, parsed);
  }

  private async patch(canary: Canary, status: object, rv: string | undefined): Promise<string | undefined> {
    try {
      const next = await this.writer.patchCanaryStatus(
        canary.metadata.namespace!,
        canary.metadata.name,
        status,
        rv,
      );
      this.noteWritten(canary, next);
      return next;
    } catch (err) {
      throw conflictOr(err, `status of ${canary.metadata.name}`);
    }
  }
}
