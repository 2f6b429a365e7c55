/**
 * Durations in the Go style Flagger uses (`30s`, `1m`, `1h`, `1m30s`, `1.5h`, `500ms`): one or more
 * number+unit parts with the units ms, s, m and h. Parsed to whole milliseconds.
 */

const UNIT = '(ms|s|m|h)';
const ANY_PART = `[0-9]+(\\.[0-9]+)?${UNIT}`;
const ZERO_PART = `0+(\\.0+)?${UNIT}`;
const NON_ZERO_PART = `([0-9]*[1-9][0-9]*(\\.[0-9]+)?|[0-9]+\\.[0-9]*[1-9][0-9]*)${UNIT}`;

/**
 * Pattern of a positive duration, for the CRD schema. It is written without look-arounds because the
 * API server checks `pattern` with Go's RE2 engine: zero-valued parts, then one non-zero part, then any parts.
 */
export const DURATION_PATTERN = `^(${ZERO_PART})*${NON_ZERO_PART}(${ANY_PART})*$`;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const HINT = 'use numbers followed by a unit (ms, s, m, h), e.g. 30s, 1m or 1m30s';

/** Milliseconds in a duration such as `1m30s`; `0s` is 0. Throws an Error naming the text when it is not one. */
export function parseDuration(text: string): number {
  if (typeof text !== 'string' || text.length === 0) {
    throw new Error(`invalid duration ${JSON.stringify(text)}: it is empty; ${HINT}`);
  }
  const PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/y;
  let total = 0;
  while (PART.lastIndex < text.length) {
    const at = PART.lastIndex;
    const m = PART.exec(text);
    if (!m) {
      throw new Error(
        `invalid duration ${JSON.stringify(text)}: cannot read ${JSON.stringify(text.slice(at))}; ${HINT}`,
      );
    }
    total += Number(m[1]) * UNIT_MS[m[2]];
  }
  // Whole milliseconds, but a positive duration never rounds down to zero.
  return total > 0 ? Math.max(1, Math.round(total)) : 0;
}

/** True when `text` is a duration longer than zero. */
export function isPositiveDuration(text: string): boolean {
  try {
    return parseDuration(text) > 0;
  } catch {
    return false;
  }
}

/**
 * Go-style text for a number of milliseconds, omitting zero parts: 90000 → `1m30s`, 3600000 → `1h`,
 * 1500 → `1.5s`, 250 → `250ms`, 0 → `0s`. Fractions of a millisecond are rounded. Negative values get a `-`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) throw new Error(`cannot format duration ${ms}: it is not a finite number`);
  let rest = Math.round(Math.abs(ms));
  const sign = ms < 0 && rest > 0 ? '-' : '';
  if (rest === 0) return '0s';
  if (rest < 1000) return `${sign}${rest}ms`;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  let out = sign;
  if (hours) out += `${hours}h`;
  if (minutes) out += `${minutes}m`;
  if (rest) {
    const seconds = Math.floor(rest / 1000);
    const millis = rest % 1000;
    out += millis ? `${seconds}.${String(millis).padStart(3, '0').replace(/0+$/, '')}s` : `${seconds}s`;
  }
  return out;
}

/** The CEL rule that bounds a duration field at admission (the API server parses it as a Go duration). */
export function durationRule(min: string, max: string): { rule: string; message: string } {
  return {
    rule: `duration(self) >= duration('${min}') && duration(self) <= duration('${max}')`,
    message: `must be between ${min} and ${max}`,
  };
}

/** The bounds of a rule made by durationRule, for checks outside the API server. */
export function durationRuleBounds(rule: string): { min: string; max: string } | undefined {
  const m = /^duration\(self\) >= duration\('([^']+)'\) && duration\(self\) <= duration\('([^']+)'\)$/.exec(
    rule,
  );
  return m ? { min: m[1], max: m[2] } : undefined;
}
