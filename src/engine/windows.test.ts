import { describe, expect, it } from 'vitest';
import type { ReleaseWindow } from '../api/types.ts';
import { formatInstant, isInside, lastOpening, nextOpening, releaseWindowState } from './windows.ts';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

// 2026-11-20 is a Friday, 2026-11-23 a Monday.
const tokyoWorkday: ReleaseWindow = { schedule: '0 9 * * 1-5', duration: '8h', timeZone: 'Asia/Tokyo' };
const weekendFreeze: ReleaseWindow = { schedule: '0 0 * * 6', duration: '48h', kind: 'deny' };

describe('releaseWindowState', () => {
  it('is open without windows', () => {
    expect(releaseWindowState(undefined, at('2026-11-21T12:00:00Z'))).toEqual({ open: true });
    expect(releaseWindowState([], at('2026-11-21T12:00:00Z'))).toEqual({ open: true });
  });

  it('is open inside a weekday allow window in Asia/Tokyo', () => {
    expect(releaseWindowState([tokyoWorkday], at('2026-11-23T01:00:00Z'))).toEqual({ open: true }); // Mon 10:00 JST
    expect(isInside(tokyoWorkday, at('2026-11-23T00:00:00Z'))).toBe(true); // opens at 09:00 JST
    expect(isInside(tokyoWorkday, at('2026-11-23T08:00:00Z'))).toBe(false); // closed at 17:00 JST
  });

  it('points outside the window at the next weekday 09:00 JST', () => {
    const evening = releaseWindowState([tokyoWorkday], at('2026-11-23T08:00:00Z')); // Mon 17:00 JST
    expect(evening).toEqual({
      open: false,
      reason: 'outside the release windows; next window opens 2026-11-24T09:00:00+09:00 (Asia/Tokyo)',
      nextOpen: at('2026-11-24T00:00:00Z'),
    });
    const early = releaseWindowState([tokyoWorkday], at('2026-11-22T23:59:59Z')); // Mon 08:59:59 JST
    expect(early.open === false && iso(early.nextOpen)).toBe('2026-11-23T00:00:00.000Z');
  });

  it('skips the weekend: Friday evening waits for Monday 09:00 JST', () => {
    for (const now of ['2026-11-20T10:00:00Z', '2026-11-21T12:00:00Z', '2026-11-22T23:00:00Z']) {
      const state = releaseWindowState([tokyoWorkday], at(now));
      expect(state.open === false && iso(state.nextOpen)).toBe('2026-11-23T00:00:00.000Z');
    }
  });

  it('is closed inside a weekend deny window until it closes', () => {
    expect(releaseWindowState([weekendFreeze], at('2026-11-20T23:59:59Z'))).toEqual({ open: true });
    expect(releaseWindowState([weekendFreeze], at('2026-11-22T20:00:00Z'))).toEqual({
      open: false,
      reason: 'inside deny window "0 0 * * 6" until 2026-11-23T00:00:00Z',
      nextOpen: at('2026-11-23T00:00:00Z'),
    });
    expect(releaseWindowState([weekendFreeze], at('2026-11-23T00:00:00Z'))).toEqual({ open: true });
  });

  it('combines allow and deny windows', () => {
    const berlinWorkday: ReleaseWindow = {
      schedule: '0 9 * * 1-5',
      duration: '8h',
      timeZone: 'Europe/Berlin',
    };
    const mondayMeeting: ReleaseWindow = {
      schedule: '30 8 * * 1',
      duration: '2h',
      timeZone: 'Europe/Berlin',
      kind: 'deny',
    };
    const windows = [berlinWorkday, mondayMeeting];
    // Monday 07:00 CET: the allow window opens at 09:00, but the deny window holds until 10:30.
    expect(releaseWindowState(windows, at('2026-11-23T06:00:00Z'))).toEqual({
      open: false,
      reason:
        'outside the release windows; next window opens 2026-11-23T09:00:00+01:00 (Europe/Berlin); ' +
        'releases may start again at 2026-11-23T10:30:00+01:00 (Europe/Berlin)',
      nextOpen: at('2026-11-23T09:30:00Z'),
    });
    const meeting = releaseWindowState(windows, at('2026-11-23T08:15:00Z'));
    expect(meeting.open === false && meeting.reason).toBe(
      'inside deny window "30 8 * * 1" until 2026-11-23T10:30:00+01:00 (Europe/Berlin)',
    );
    expect(releaseWindowState(windows, at('2026-11-23T10:00:00Z'))).toEqual({ open: true });
    expect(releaseWindowState(windows, at('2026-11-24T08:15:00Z'))).toEqual({ open: true }); // Tuesday
  });

  it('takes the earliest opening among several allow windows', () => {
    const nightly: ReleaseWindow = { schedule: '0 22 * * *', duration: '2h' };
    const windows = [tokyoWorkday, nightly];
    expect(releaseWindowState(windows, at('2026-11-20T10:00:00Z'))).toEqual({
      open: false,
      reason: 'outside the release windows; next window opens 2026-11-20T22:00:00Z',
      nextOpen: at('2026-11-20T22:00:00Z'),
    });
    expect(releaseWindowState(windows, at('2026-11-20T23:00:00Z'))).toEqual({ open: true });
    const saturday = releaseWindowState([tokyoWorkday], at('2026-11-21T10:00:00Z'));
    expect(saturday.open === false && iso(saturday.nextOpen)).toBe('2026-11-23T00:00:00.000Z');
  });

  it('gives no next opening when a deny window never closes within the horizon', () => {
    const always: ReleaseWindow = { schedule: '0 0 * * *', duration: '25h', kind: 'deny' };
    const state = releaseWindowState([always], at('2026-11-21T10:00:00Z'));
    expect(state).toEqual({
      open: false,
      reason:
        'inside deny window "0 0 * * *" until 2026-11-22T01:00:00Z; no release can start in the next 366 days',
    });
  });
});

describe('lastOpening and isInside', () => {
  it('includes a fire time equal to now and excludes the closing instant', () => {
    expect(iso(lastOpening(tokyoWorkday, at('2026-11-23T00:00:00Z')))).toBe('2026-11-23T00:00:00.000Z');
    expect(iso(lastOpening(tokyoWorkday, at('2026-11-22T23:59:59.999Z')))).toBe('2026-11-20T00:00:00.000Z');
    expect(iso(nextOpening(tokyoWorkday, at('2026-11-23T00:00:00Z')))).toBe('2026-11-24T00:00:00.000Z');
  });

  it('handles windows that cross midnight or outlast the interval between openings', () => {
    const lateNight: ReleaseWindow = { schedule: '0 22 * * *', duration: '4h' };
    expect(isInside(lateNight, at('2026-11-21T01:00:00Z'))).toBe(true);
    expect(isInside(lateNight, at('2026-11-21T02:00:00Z'))).toBe(false);
    expect(isInside({ schedule: '@hourly', duration: '90m' }, at('2026-11-21T01:59:00Z'))).toBe(true);
  });
});

describe('daylight saving', () => {
  const berlin: ReleaseWindow = { schedule: '0 2 * * *', duration: '1h', timeZone: 'Europe/Berlin' };
  const newYork: ReleaseWindow = { schedule: '30 1 * * *', duration: '1h', timeZone: 'America/New_York' };

  it('opens at 03:00 CEST when 02:00 does not exist (Berlin, 2026-03-29)', () => {
    expect(iso(nextOpening(berlin, at('2026-03-28T12:00:00Z')))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(lastOpening(berlin, at('2026-03-29T01:30:00Z')))).toBe('2026-03-29T01:00:00.000Z');
    expect(isInside(berlin, at('2026-03-29T01:59:00Z'))).toBe(true); // 03:59 CEST
    expect(isInside(berlin, at('2026-03-29T02:00:00Z'))).toBe(false); // 04:00 CEST
    const state = releaseWindowState([berlin], at('2026-03-28T12:00:00Z'));
    expect(state.open === false && state.reason).toBe(
      'outside the release windows; next window opens 2026-03-29T03:00:00+02:00 (Europe/Berlin)',
    );
    expect(iso(nextOpening(berlin, at('2026-03-29T01:00:00Z')))).toBe('2026-03-30T00:00:00.000Z'); // 02:00 CEST
  });

  it('opens once, at the first 02:00, when 02:00 happens twice (Berlin, 2026-10-25)', () => {
    expect(iso(nextOpening(berlin, at('2026-10-24T12:00:00Z')))).toBe('2026-10-25T00:00:00.000Z'); // 02:00 CEST
    expect(iso(lastOpening(berlin, at('2026-10-25T01:30:00Z')))).toBe('2026-10-25T00:00:00.000Z');
    expect(isInside(berlin, at('2026-10-25T00:30:00Z'))).toBe(true); // 02:30 CEST
    expect(isInside(berlin, at('2026-10-25T01:30:00Z'))).toBe(false); // 02:30 CET
    expect(releaseWindowState([berlin], at('2026-10-25T01:00:00Z'))).toEqual({
      open: false,
      reason: 'outside the release windows; next window opens 2026-10-26T02:00:00+01:00 (Europe/Berlin)',
      nextOpen: at('2026-10-26T01:00:00Z'),
    });
  });

  it('follows America/New_York across 2026-03-08 (01:30 EST exists)', () => {
    expect(iso(lastOpening(newYork, at('2026-03-08T07:00:00Z')))).toBe('2026-03-08T06:30:00.000Z'); // 01:30 EST
    expect(isInside(newYork, at('2026-03-08T07:00:00Z'))).toBe(true);
    expect(releaseWindowState([newYork], at('2026-03-08T08:00:00Z'))).toEqual({
      open: false,
      reason: 'outside the release windows; next window opens 2026-03-09T01:30:00-04:00 (America/New_York)',
      nextOpen: at('2026-03-09T05:30:00Z'),
    });
  });

  it('opens once, at 01:30 EDT, when 01:30 happens twice (New York, 2026-11-01)', () => {
    expect(iso(lastOpening(newYork, at('2026-11-01T06:45:00Z')))).toBe('2026-11-01T05:30:00.000Z');
    expect(isInside(newYork, at('2026-11-01T06:00:00Z'))).toBe(true); // 01:00 EST, second pass
    expect(isInside(newYork, at('2026-11-01T06:45:00Z'))).toBe(false); // 01:45 EST
    const state = releaseWindowState([newYork], at('2026-11-01T06:45:00Z'));
    expect(state.open === false && state.reason).toBe(
      'outside the release windows; next window opens 2026-11-02T01:30:00-05:00 (America/New_York)',
    );
  });
});

describe('formatInstant', () => {
  it('writes the zone offset of the instant', () => {
    expect(formatInstant(at('2026-07-01T12:00:00Z'), 'Europe/Berlin')).toBe(
      '2026-07-01T14:00:00+02:00 (Europe/Berlin)',
    );
    expect(formatInstant(at('2026-07-01T12:00:00Z'), 'Asia/Kolkata')).toBe(
      '2026-07-01T17:30:00+05:30 (Asia/Kolkata)',
    );
    expect(formatInstant(at('2026-07-01T00:00:00Z'), 'UTC')).toBe('2026-07-01T00:00:00Z');
  });
});
