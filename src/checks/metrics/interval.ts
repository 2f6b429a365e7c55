/** Flagger's default metric interval. */
export const DEFAULT_METRIC_INTERVAL = '1m';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/** Parses a Go-style duration ("30s", "1m", "1m30s", "500ms") into milliseconds; undefined when invalid. */
export function parseIntervalMs(interval: string): number | undefined {
  const text = interval.trim();
  if (text === '') return undefined;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(PART)) {
    if (m.index !== consumed) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]];
    consumed += m[0].length;
  }
  return consumed === text.length && total > 0 ? total : undefined;
}

/** Whole seconds of a metric interval; throws a plain Error naming the bad value. */
export function intervalSeconds(interval: string): number {
  const ms = parseIntervalMs(interval);
  if (ms === undefined)
    throw new Error(`invalid metric interval "${interval}" (expected e.g. 30s, 1m, 1m30s)`);
  return Math.max(1, Math.round(ms / 1000));
}
