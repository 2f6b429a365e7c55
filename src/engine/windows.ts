/**
 * Release windows: when a release may start. A window opens at each fire time of its cron schedule, read in
 * its time zone, and stays open for its duration (half-open: open at the fire time, closed at fire + duration).
 * A release may start when there is no allow window or one of them is open, and no deny window is open.
 *
 * Daylight saving: the fire times are the ones cron-parser's next() produces. A time that does not exist
 * (Europe/Berlin 02:00 on a spring-forward day) fires when the clocks jump, at 03:00 local; a time that
 * happens twice (02:00 on a fall-back day) fires once, at its first occurrence. cron-parser's prev() skips
 * the first kind and returns both of the second, so lastOpening only uses prev() to find a safe starting
 * point and then walks forward with next().
 */
import { CronExpressionParser } from 'cron-parser';
import { parseDuration } from '../api/duration.ts';
import type { ReleaseWindow } from '../api/types.ts';

export type WindowState = { open: true } | { open: false; reason: string; nextOpen?: number };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How far past `now` releaseWindowState looks for the next instant a release may start. */
export const WINDOW_HORIZON_DAYS = 366;
const HORIZON_MS = WINDOW_HORIZON_DAYS * DAY;
const MAX_STEPS = 10_000;
/** At most this many window openings and closings are tried when looking for the next instant. */
const SEARCH_STEPS = 1000;

const zoneOf = (w: ReleaseWindow): string => w.timeZone || 'UTC';

function schedule(w: ReleaseWindow, at: number) {
  return CronExpressionParser.parse(w.schedule, { currentDate: new Date(at), tz: zoneOf(w) });
}

/** The first opening of the window strictly after `after`, or undefined when the schedule never fires again. */
export function nextOpening(window: ReleaseWindow, after: number): number | undefined {
  const fires = schedule(window, after);
  try {
    return fires.next().getTime();
  } catch {
    return undefined;
  }
}

/** The latest opening of the window at or before `now`, or undefined when it never opened. */
export function lastOpening(window: ReleaseWindow, now: number): number | undefined {
  const zone = zoneOf(window);
  const back = schedule(window, now + 1);
  let start: number;
  try {
    start = back.prev().getTime();
    // A fire just after a fall-back may be the second occurrence of a repeated time, which next() skips.
    for (
      let i = 0;
      i < MAX_STEPS && offsetMinutes(zone, start - 3 * HOUR) > offsetMinutes(zone, start);
      i++
    ) {
      start = back.prev().getTime();
    }
  } catch {
    return undefined;
  }
  // With no clock change between start and now, prev() and next() agree: start is the answer.
  if (now - start < 7 * DAY && offsetMinutes(zone, start) === offsetMinutes(zone, now)) return start;
  const forward = schedule(window, start - 1);
  let last: number | undefined;
  try {
    for (let i = 0; i < MAX_STEPS; i++) {
      const at = forward.next().getTime();
      if (at > now) break;
      last = at;
    }
  } catch {
    // the schedule ran out of fire times
  }
  return last ?? start;
}

/** Whether the window is open at `now`: some opening lies in (now - duration, now]. */
export function isInside(window: ReleaseWindow, now: number): boolean {
  const opened = lastOpening(window, now);
  return opened !== undefined && now < opened + parseDuration(window.duration);
}

type Blocker =
  | { kind: 'deny'; window: ReleaseWindow; until: number }
  | { kind: 'outside'; window?: ReleaseWindow; until?: number };

/** Why no release may start at `at` (undefined when one may), and the earliest instant that could change it. */
function blockerAt(allows: ReleaseWindow[], denies: ReleaseWindow[], at: number): Blocker | undefined {
  let deny: { kind: 'deny'; window: ReleaseWindow; until: number } | undefined;
  for (const w of denies) {
    const opened = lastOpening(w, at);
    const closes = opened === undefined ? at : opened + parseDuration(w.duration);
    if (at < closes && (!deny || closes > deny.until)) deny = { kind: 'deny', window: w, until: closes };
  }
  if (deny) return deny;
  if (allows.length === 0 || allows.some((w) => isInside(w, at))) return undefined;
  const outside: Blocker = { kind: 'outside' };
  for (const w of allows) {
    const opens = nextOpening(w, at);
    if (opens !== undefined && (outside.until === undefined || opens < outside.until)) {
      outside.until = opens;
      outside.window = w;
    }
  }
  return outside;
}

/**
 * Whether a release may start at `now` under the given windows. When it may not, `reason` says why and
 * `nextOpen` is the earliest instant ≥ now, within WINDOW_HORIZON_DAYS, at which one may. Throws on a
 * schedule, duration or time zone that validateCanary rejects.
 */
export function releaseWindowState(windows: ReleaseWindow[] | undefined, now: number): WindowState {
  const all = windows ?? [];
  const allows = all.filter((w) => (w.kind ?? 'allow') === 'allow');
  const denies = all.filter((w) => w.kind === 'deny');
  const first = blockerAt(allows, denies, now);
  if (!first) return { open: true };
  const reason =
    first.kind === 'deny'
      ? `inside deny window ${JSON.stringify(first.window.schedule)} until ${formatInstant(first.until, zoneOf(first.window))}`
      : first.until === undefined || first.window === undefined
        ? 'outside the release windows, and none of them opens again'
        : `outside the release windows; next window opens ${formatInstant(first.until, zoneOf(first.window))}`;
  let blocker: Blocker = first;
  for (let step = 0; step < SEARCH_STEPS; step++) {
    const { until: at, window } = blocker;
    if (at === undefined || window === undefined) return { open: false, reason };
    if (at > now + HORIZON_MS) {
      return {
        open: false,
        reason: `${reason}; no release can start in the next ${WINDOW_HORIZON_DAYS} days`,
      };
    }
    const next = blockerAt(allows, denies, at);
    if (!next) {
      const again =
        at === first.until ? '' : `; releases may start again at ${formatInstant(at, zoneOf(window))}`;
      return { open: false, reason: reason + again, nextOpen: at };
    }
    blocker = next;
  }
  const { until, window } = blocker;
  const later =
    until === undefined || !window
      ? ''
      : `; no release can start before ${formatInstant(until, zoneOf(window))}`;
  return { open: false, reason: reason + later };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock fields of `at` in `zone`, and the zone's UTC offset then, in minutes. */
function wallClock(zone: string, at: number): { fields: number[]; offset: number } {
  let format = formatters.get(zone);
  if (!format) {
    const two = '2-digit';
    const options = { year: 'numeric', month: two, day: two, hour: two, minute: two, second: two } as const;
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', ...options });
    formatters.set(zone, format);
  }
  const parts = format.formatToParts(at);
  const field = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const fields = ['year', 'month', 'day', 'hour', 'minute', 'second'].map(field);
  const [y, mo, d, h, mi, s] = fields;
  const offset = Math.round((Date.UTC(y, mo - 1, d, h, mi, s) - Math.floor(at / 1000) * 1000) / 60_000);
  return { fields, offset };
}

function offsetMinutes(zone: string, at: number): number {
  return wallClock(zone, at).offset;
}

/** ISO 8601 text of `at` in `zone`'s wall clock, e.g. `2026-11-23T09:00:00+01:00 (Europe/Berlin)`. */
export function formatInstant(at: number, zone: string): string {
  const { fields, offset } = wallClock(zone, at);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const [y, mo, d, h, mi, s] = fields;
  const abs = Math.abs(offset);
  const zoneText =
    offset === 0 ? 'Z' : `${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  const text = `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${zoneText}`;
  return zone === 'UTC' ? text : `${text} (${zone})`;
}
