/**
 * A small time-limited cache of review results, so that a burst of gate calls with the same token makes
 * one TokenReview and one SubjectAccessReview. Keys are SHA-256 digests of what identifies a question
 * (never a token itself); values are promises, so that concurrent calls share one review in flight.
 * A review that fails (API server unreachable) is not kept.
 */
import { createHash } from 'node:crypto';

export const DEFAULT_REVIEW_TTL_MS = 10_000;
export const DEFAULT_REVIEW_CACHE_SIZE = 1024;

/** Hex SHA-256 of the parts, each length-prefixed so that no two different part lists collide. */
export function digestKey(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${Buffer.byteLength(p)}:${p};`);
  return h.digest('hex');
}

export interface ReviewCacheOptions {
  ttlMs?: number;
  /** Entries kept at most; the oldest go first when a new one would exceed it. */
  maxEntries?: number;
  clock?: () => number;
}

interface Entry<V> {
  expires: number;
  value: Promise<V>;
}

export class ReviewCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly clock: () => number;

  constructor(options: ReviewCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? DEFAULT_REVIEW_TTL_MS;
    this.maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_REVIEW_CACHE_SIZE);
    this.clock = options.clock ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached answer for `key` while it is fresh, else the answer of `review` (then cached). */
  get(key: string, review: () => Promise<V>): Promise<V> {
    const now = this.clock();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.value;
    if (hit) this.entries.delete(key);
    this.evict(now);
    const value = review();
    const entry: Entry<V> = { expires: now + this.ttlMs, value };
    this.entries.set(key, entry);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }

  private evict(now: number): void {
    if (this.entries.size < this.maxEntries) return;
    for (const [k, e] of this.entries) if (e.expires <= now) this.entries.delete(k);
    // Map iteration follows insertion order: the first keys are the oldest.
    for (const k of this.entries.keys()) {
      if (this.entries.size < this.maxEntries) break;
      this.entries.delete(k);
    }
  }
}
