/**
 * Snapshots of an app's counts taken one after another (every `everyMs`), each with the time its reading
 * began and ended, so a scenario can measure the requests between two moments it only learns later
 * (e.g. between a weight change and the next one): requests counted after a snapshot that began at or
 * after t arrived after t; requests counted by a snapshot that ended at or before t arrived before t.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppCounts, AppUnderTest } from './harness.ts';

export interface CountsSnapshot {
  from: number;
  to: number;
  counts: AppCounts;
}

export interface CountsRecorder {
  readonly snapshots: readonly CountsSnapshot[];
  /** The last snapshot that ended at or before `t`. */
  before(t: number): CountsSnapshot | undefined;
  /** The first snapshot that began at or after `t`. */
  after(t: number): CountsSnapshot | undefined;
  /** Stops after one last snapshot. */
  stop(): Promise<void>;
}

export async function recordCounts(app: AppUnderTest, everyMs = 100): Promise<CountsRecorder> {
  const snapshots: CountsSnapshot[] = [];
  const take = async () => {
    const from = Date.now();
    const counts = await app.counts();
    snapshots.push({ from, to: Date.now(), counts });
  };
  await take();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await sleep(everyMs);
      await take();
    }
  })();
  return {
    snapshots,
    before: (t) => snapshots.findLast((s) => s.to <= t),
    after: (t) => snapshots.find((s) => s.from >= t),
    async stop() {
      stopped = true;
      await loop;
      await take();
    },
  };
}

/** `later − earlier` for each count. */
export function countsBetween(earlier: CountsSnapshot, later: CountsSnapshot): AppCounts {
  const a = earlier.counts;
  const b = later.counts;
  return {
    primary: b.primary - a.primary,
    canary: b.canary - a.canary,
    canaryUnmatched: b.canaryUnmatched - a.canaryUnmatched,
    ...(a.primaryMatched !== undefined && b.primaryMatched !== undefined
      ? { primaryMatched: b.primaryMatched - a.primaryMatched }
      : {}),
    ...(a.canaryDirect !== undefined && b.canaryDirect !== undefined
      ? { canaryDirect: b.canaryDirect - a.canaryDirect }
      : {}),
  };
}
