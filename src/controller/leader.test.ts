import { describe, expect, it } from 'vitest';
import type { V1Lease } from '../kube/types.ts';
import { LeaseValidity, leaseDecision, leaseSpecFor } from './leader.ts';

const T0 = Date.parse('2030-01-01T00:00:00Z');

function lease(spec: NonNullable<V1Lease['spec']>): V1Lease {
  return { metadata: { name: 'kanaria', namespace: 'ns', resourceVersion: '7' }, spec };
}

/** As read back from the API server: times are RFC 3339 strings with microseconds. */
function at(ms: number): Date {
  return new Date(ms).toISOString().replace('Z', '000Z') as unknown as Date;
}

describe('leaseDecision', () => {
  it('creates the Lease when there is none', () => {
    expect(leaseDecision(undefined, 'a', T0, 15_000)).toEqual({ kind: 'create' });
  });

  it('renews its own Lease, even past its expiry', () => {
    const l = lease({ holderIdentity: 'a', leaseDurationSeconds: 15, renewTime: at(T0) });
    expect(leaseDecision(l, 'a', T0 + 1_000, 15_000)).toEqual({ kind: 'renew' });
    expect(leaseDecision(l, 'a', T0 + 60_000, 15_000)).toEqual({ kind: 'renew' });
  });

  it('acquires a released Lease at once', () => {
    const l = lease({ holderIdentity: '', leaseDurationSeconds: 1, renewTime: at(T0) });
    expect(leaseDecision(l, 'b', T0, 15_000)).toEqual({ kind: 'acquire' });
    expect(leaseDecision(lease({}), 'b', T0, 15_000)).toEqual({ kind: 'acquire' });
  });

  it('waits for a live holder until renewTime + leaseDuration has passed', () => {
    const l = lease({ holderIdentity: 'a', leaseDurationSeconds: 15, renewTime: at(T0) });
    expect(leaseDecision(l, 'b', T0 + 5_000, 15_000)).toEqual({
      kind: 'wait',
      holder: 'a',
      expiresAt: T0 + 15_000,
    });
    expect(leaseDecision(l, 'b', T0 + 15_000, 15_000).kind).toBe('wait');
    expect(leaseDecision(l, 'b', T0 + 15_001, 15_000)).toEqual({ kind: 'acquire', previousHolder: 'a' });
  });

  it("measures expiry with the holder's leaseDurationSeconds, falling back to its own", () => {
    const long = lease({ holderIdentity: 'a', leaseDurationSeconds: 60, renewTime: at(T0) });
    expect(leaseDecision(long, 'b', T0 + 30_000, 15_000).kind).toBe('wait');
    const unset = lease({ holderIdentity: 'a', renewTime: at(T0) });
    expect(leaseDecision(unset, 'b', T0 + 10_000, 15_000).kind).toBe('wait');
    expect(leaseDecision(unset, 'b', T0 + 16_000, 15_000).kind).toBe('acquire');
  });

  it('accepts Date objects as well as strings for the times', () => {
    const l = lease({ holderIdentity: 'a', leaseDurationSeconds: 3, renewTime: new Date(T0) });
    expect(leaseDecision(l, 'b', T0 + 2_000, 15_000).kind).toBe('wait');
    expect(leaseDecision(l, 'b', T0 + 3_001, 15_000).kind).toBe('acquire');
  });

  it('uses acquireTime when renewTime is missing, and takes a Lease with neither', () => {
    const acquiredOnly = lease({ holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: at(T0) });
    expect(leaseDecision(acquiredOnly, 'b', T0 + 1_000, 15_000).kind).toBe('wait');
    const timeless = lease({ holderIdentity: 'a', leaseDurationSeconds: 15 });
    expect(leaseDecision(timeless, 'b', T0, 15_000)).toEqual({ kind: 'acquire', previousHolder: 'a' });
  });

  it('never takes a Lease earlier than a full duration after it last saw it change', () => {
    // The holder's clock is behind ours: by renewTime alone the Lease already looks expired.
    const l = lease({ holderIdentity: 'a', leaseDurationSeconds: 15, renewTime: at(T0 - 20_000) });
    expect(leaseDecision(l, 'b', T0, 15_000).kind).toBe('acquire');
    expect(leaseDecision(l, 'b', T0, 15_000, T0 - 1_000)).toEqual({
      kind: 'wait',
      holder: 'a',
      expiresAt: T0 + 14_000,
    });
    expect(leaseDecision(l, 'b', T0 + 14_001, 15_000, T0 - 1_000).kind).toBe('acquire');
  });
});

describe('leaseSpecFor', () => {
  it('creates with both times now and no transitions', () => {
    const spec = leaseSpecFor({ kind: 'create' }, undefined, 'a', T0, 15_000);
    expect(spec.holderIdentity).toBe('a');
    expect(spec.leaseDurationSeconds).toBe(15);
    expect(spec.leaseTransitions).toBe(0);
    expect(new Date(spec.acquireTime!).getTime()).toBe(T0);
    expect(new Date(spec.renewTime!).getTime()).toBe(T0);
    // MicroTime serialises with microseconds, as the API server requires.
    expect(JSON.stringify({ t: spec.renewTime })).toBe('{"t":"2030-01-01T00:00:00.000000Z"}');
  });

  it('counts a transition when taking over and keeps acquireTime when renewing', () => {
    const current = lease({
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      acquireTime: at(T0),
      renewTime: at(T0 + 10_000),
      leaseTransitions: 4,
    });
    const taken = leaseSpecFor({ kind: 'acquire', previousHolder: 'a' }, current, 'b', T0 + 30_000, 3_000);
    expect(taken).toMatchObject({ holderIdentity: 'b', leaseDurationSeconds: 3, leaseTransitions: 5 });
    expect(new Date(taken.acquireTime!).getTime()).toBe(T0 + 30_000);

    const renewed = leaseSpecFor({ kind: 'renew' }, current, 'a', T0 + 12_000, 15_000);
    expect(renewed).toMatchObject({ holderIdentity: 'a', leaseTransitions: 4 });
    expect(new Date(renewed.acquireTime!).getTime()).toBe(T0);
    expect(new Date(renewed.renewTime!).getTime()).toBe(T0 + 12_000);
  });

  it('rounds the lease duration up to whole seconds, at least one', () => {
    expect(leaseSpecFor({ kind: 'create' }, undefined, 'a', T0, 2_500).leaseDurationSeconds).toBe(3);
    expect(leaseSpecFor({ kind: 'create' }, undefined, 'a', T0, 10).leaseDurationSeconds).toBe(1);
  });
});

describe('LeaseValidity', () => {
  /** A monotonic clock the test moves by hand. */
  function fakeMonotonic(start = 1_000) {
    let now = start;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  }

  it('holds nothing before the first successful renewal', () => {
    const clock = fakeMonotonic();
    const v = new LeaseValidity(2_000, clock.now);
    expect(v.holds()).toBe(false);
    expect(v.problem()).toBe('not the leader');
  });

  it('holds from the start of a successful renewal until renewDeadline later, exclusive', () => {
    const clock = fakeMonotonic();
    const v = new LeaseValidity(2_000, clock.now);
    const started = clock.now();
    clock.advance(300); // the renewal's round trip
    v.renewed(started);
    expect(v.holds()).toBe(true);
    clock.advance(1_699); // 1_999 ms after the renewal began
    expect(v.holds()).toBe(true);
    clock.advance(1);
    expect(v.holds()).toBe(false);
    expect(v.problem()).toBe(
      'the last lease renewal began 2000 ms ago, not within the renew deadline of 2000 ms',
    );
  });

  it('is false at once after a pause longer than the deadline, whatever the timers did not do', () => {
    const clock = fakeMonotonic();
    const v = new LeaseValidity(2_000, clock.now);
    v.renewed(clock.now());
    clock.advance(500);
    expect(v.holds()).toBe(true);
    clock.advance(30_000); // SIGSTOP … SIGCONT: the monotonic clock kept running
    expect(v.holds()).toBe(false);
  });

  it('extends from each later renewal and never goes back to an older one', () => {
    const clock = fakeMonotonic();
    const v = new LeaseValidity(2_000, clock.now);
    v.renewed(clock.now());
    clock.advance(1_500);
    const second = clock.now();
    v.renewed(second);
    clock.advance(1_500); // 3_000 after the first, 1_500 after the second
    expect(v.holds()).toBe(true);
    v.renewed(second - 1_000); // a slow, older attempt that lands late changes nothing
    clock.advance(600);
    expect(v.holds()).toBe(false);
  });

  it('holds nothing once lost, until renewed again', () => {
    const clock = fakeMonotonic();
    const v = new LeaseValidity(2_000, clock.now);
    v.renewed(clock.now());
    v.lost();
    expect(v.holds()).toBe(false);
    v.renewed(clock.now());
    expect(v.holds()).toBe(true);
  });
});
