import { describe, expect, it } from 'vitest';
import { checkTraffic, profileAt, profileHeaders, type TrafficProfile } from './traffic.ts';

describe('traffic profiles', () => {
  const insider: TrafficProfile = { share: 0.1, headers: { 'x-canary': 'insider' } };
  const beta: TrafficProfile = { share: 0.25, cookies: { canary: 'always', team: 'web' } };

  it('gives every window of 20, 40 or 100 requests its share of each profile within 2', () => {
    const profiles = [insider, beta];
    const picks = Array.from({ length: 2_000 }, (_, n) => profileAt(n, profiles));
    for (const size of [20, 40, 100]) {
      for (let start = 0; start + size <= picks.length; start += 7) {
        const window = picks.slice(start, start + size);
        const count = (profile: TrafficProfile) => window.filter((p) => p === profile).length;
        expect(Math.abs(count(insider) - size * insider.share)).toBeLessThanOrEqual(2);
        expect(Math.abs(count(beta) - size * beta.share)).toBeLessThanOrEqual(2);
      }
    }
  });

  it('sends plain requests when no profile is given', () => {
    expect(profileAt(7, [])).toBeUndefined();
    expect(profileHeaders(undefined)).toEqual({});
  });

  it('joins a profile’s cookies into one cookie header beside its headers', () => {
    expect(profileHeaders({ ...beta, headers: { 'x-a': '1' } })).toEqual({
      'x-a': '1',
      cookie: 'canary=always; team=web',
    });
  });

  it('refuses negative shares and shares over 1 in all', () => {
    expect(() => checkTraffic([{ share: -0.1 }])).toThrow(/shares must be ≥ 0 and add up to at most 1/);
    expect(() => checkTraffic([{ share: 0.6 }, { share: 0.5 }])).toThrow(RangeError);
    expect(checkTraffic([insider, beta])).toEqual([insider, beta]);
  });
});
