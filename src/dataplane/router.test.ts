import { describe, expect, it } from 'vitest';
import { canaryRules, parseCookies, route, type CanaryRules } from './router.ts';

const P = 'nginx.ingress.kubernetes.io';
const rules = (extra: Record<string, string>): CanaryRules | undefined =>
  canaryRules({ [`${P}/canary`]: 'true', ...extra });
/** A random source that always returns the same draw. */
const fixed = (x: number) => () => x;
const never = () => {
  throw new Error('the weight must not be consulted');
};

describe('canaryRules', () => {
  it('is undefined unless the Ingress is a canary', () => {
    expect(canaryRules(undefined)).toBeUndefined();
    expect(canaryRules({ [`${P}/canary-weight`]: '50' })).toBeUndefined();
    expect(canaryRules({ [`${P}/canary`]: 'false', [`${P}/canary-weight`]: '50' })).toBeUndefined();
  });

  it('reads every routing annotation', () => {
    expect(
      rules({
        [`${P}/canary-weight`]: '30',
        [`${P}/canary-by-header`]: 'x-canary',
        [`${P}/canary-by-header-value`]: 'insider',
        [`${P}/canary-by-header-pattern`]: '^in',
        [`${P}/canary-by-cookie`]: 'canary',
      }),
    ).toEqual({
      weight: 30,
      weightTotal: 100,
      header: 'x-canary',
      headerValue: 'insider',
      headerPattern: '^in',
      cookie: 'canary',
    });
  });

  it('defaults a missing or malformed weight to 0 and ignores weight totals up to 100', () => {
    expect(rules({})).toMatchObject({ weight: 0, weightTotal: 100 });
    expect(rules({ [`${P}/canary-weight`]: 'ten' })?.weight).toBe(0);
    expect(rules({ [`${P}/canary-weight-total`]: '50' })?.weightTotal).toBe(100);
    expect(rules({ [`${P}/canary-weight-total`]: '1000' })?.weightTotal).toBe(1000);
  });

  it('honours another annotation prefix', () => {
    expect(
      canaryRules({ 'custom.io/canary': 'true', 'custom.io/canary-weight': '5' }, 'custom.io')?.weight,
    ).toBe(5);
  });
});

describe('route', () => {
  it('sends everything to the primary when there is no canary', () => {
    expect(route(undefined, { headers: { 'x-canary': 'always' } }, fixed(0))).toBe('primary');
  });

  describe('weight', () => {
    const r = rules({ [`${P}/canary-weight`]: '30' });
    it('routes draws 1..weight to the canary', () => {
      expect(route(r, {}, fixed(0))).toBe('canary'); // draw 1
      expect(route(r, {}, fixed(0.29))).toBe('canary'); // draw 30
      expect(route(r, {}, fixed(0.3))).toBe('primary'); // draw 31
      expect(route(r, {}, fixed(0.999))).toBe('primary');
    });
    it('never routes weight 0 and always routes weight 100 to the canary', () => {
      expect(route(rules({ [`${P}/canary-weight`]: '0' }), {}, fixed(0))).toBe('primary');
      expect(route(rules({ [`${P}/canary-weight`]: '100' }), {}, fixed(0.999))).toBe('canary');
    });
    it('draws out of canary-weight-total when it is above 100', () => {
      const r1000 = rules({ [`${P}/canary-weight`]: '5', [`${P}/canary-weight-total`]: '1000' });
      expect(route(r1000, {}, fixed(0.004))).toBe('canary'); // draw 5
      expect(route(r1000, {}, fixed(0.005))).toBe('primary'); // draw 6
    });
    it('splits a uniform source in proportion', () => {
      let i = 0;
      const sweep = () => (i++ % 1000) / 1000;
      let canary = 0;
      for (let n = 0; n < 1000; n++) if (route(r, {}, sweep) === 'canary') canary++;
      expect(canary).toBe(300);
    });
  });

  describe('canary-by-header without a value', () => {
    const r = rules({ [`${P}/canary-by-header`]: 'X-Canary', [`${P}/canary-weight`]: '100' });
    it('routes "always" to the canary and "never" to the primary, matching the name case-insensitively', () => {
      expect(route(r, { headers: { 'x-canary': 'always' } }, never)).toBe('canary');
      expect(route(r, { headers: { 'X-CANARY': 'never' } }, never)).toBe('primary');
    });
    it('falls through to the weight for other values or no header', () => {
      expect(route(r, { headers: { 'x-canary': 'yes' } }, fixed(0.5))).toBe('canary');
      expect(route(r, {}, fixed(0.5))).toBe('canary');
      const w0 = rules({ [`${P}/canary-by-header`]: 'x-canary' });
      expect(route(w0, { headers: { 'x-canary': 'Always' } }, fixed(0))).toBe('primary');
    });
  });

  describe('canary-by-header-value', () => {
    const r = rules({ [`${P}/canary-by-header`]: 'x-canary', [`${P}/canary-by-header-value`]: 'insider' });
    it('routes an equal value to the canary', () => {
      expect(route(r, { headers: { 'x-canary': 'insider' } }, never)).toBe('canary');
    });
    it('ignores other values, "always" and "never" included, and falls through', () => {
      expect(route(r, { headers: { 'x-canary': 'Insider' } }, fixed(0))).toBe('primary');
      expect(route(r, { headers: { 'x-canary': 'always' } }, fixed(0))).toBe('primary');
      const weighted = rules({
        [`${P}/canary-by-header`]: 'x-canary',
        [`${P}/canary-by-header-value`]: 'insider',
        [`${P}/canary-weight`]: '100',
      });
      expect(route(weighted, { headers: { 'x-canary': 'never' } }, fixed(0))).toBe('canary');
    });
    it('takes precedence over a pattern', () => {
      const both = rules({
        [`${P}/canary-by-header`]: 'x-canary',
        [`${P}/canary-by-header-value`]: 'insider',
        [`${P}/canary-by-header-pattern`]: '.*',
      });
      expect(route(both, { headers: { 'x-canary': 'outsider' } }, fixed(0))).toBe('primary');
    });
  });

  describe('canary-by-header-pattern', () => {
    const r = rules({
      [`${P}/canary-by-header`]: 'user-agent',
      [`${P}/canary-by-header-pattern`]: 'Chrome|Edg',
    });
    it('routes a matching value (unanchored) to the canary', () => {
      expect(route(r, { headers: { 'User-Agent': 'Mozilla/5.0 Chrome/120' } }, never)).toBe('canary');
    });
    it('falls through when it does not match', () => {
      expect(route(r, { headers: { 'user-agent': 'curl/8' } }, fixed(0))).toBe('primary');
    });
    it('routes to the primary when the pattern is not a valid regex', () => {
      const bad = rules({
        [`${P}/canary-by-header`]: 'x',
        [`${P}/canary-by-header-pattern`]: '(',
        [`${P}/canary-weight`]: '100',
      });
      expect(route(bad, { headers: { x: 'y' } }, never)).toBe('primary');
    });
  });

  describe('canary-by-cookie', () => {
    const r = rules({ [`${P}/canary-by-cookie`]: 'canary', [`${P}/canary-weight`]: '50' });
    it('routes "always" to the canary and "never" to the primary', () => {
      expect(route(r, { cookies: { canary: 'always' } }, never)).toBe('canary');
      expect(route(r, { headers: { Cookie: 'a=1; canary=never' } }, never)).toBe('primary');
    });
    it('falls through to the weight for other values', () => {
      expect(route(r, { cookies: { canary: 'true' } }, fixed(0.1))).toBe('canary');
      expect(route(r, { cookies: { canary: 'true' } }, fixed(0.9))).toBe('primary');
    });
    it('comes after the header rule', () => {
      const both = rules({ [`${P}/canary-by-header`]: 'x-canary', [`${P}/canary-by-cookie`]: 'canary' });
      expect(route(both, { headers: { 'x-canary': 'never' }, cookies: { canary: 'always' } }, never)).toBe(
        'primary',
      );
      expect(route(both, { headers: { 'x-canary': 'maybe' }, cookies: { canary: 'always' } }, never)).toBe(
        'canary',
      );
    });
  });
});

describe('parseCookies', () => {
  it('reads name=value pairs, keeping the first of duplicates', () => {
    expect(parseCookies('a=1; b = two ;a=3; junk; =x')).toEqual({ a: '1', b: 'two' });
    expect(parseCookies(undefined)).toEqual({});
  });
});
