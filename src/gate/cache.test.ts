import { describe, expect, it } from 'vitest';
import { digestKey, ReviewCache } from './cache.ts';

describe('ReviewCache', () => {
  it('answers from the cache while fresh, then asks again', async () => {
    let now = 0;
    let calls = 0;
    const cache = new ReviewCache<string>({ ttlMs: 10_000, clock: () => now });
    const review = async () => `answer ${++calls}`;
    expect(await cache.get('k', review)).toBe('answer 1');
    now = 9_999;
    expect(await cache.get('k', review)).toBe('answer 1');
    now = 10_000;
    expect(await cache.get('k', review)).toBe('answer 2');
    expect(calls).toBe(2);
  });

  it('keeps negative answers too', async () => {
    let calls = 0;
    const cache = new ReviewCache<boolean | undefined>({ clock: () => 0 });
    const no = async () => (calls++, undefined);
    await cache.get('k', no);
    await cache.get('k', no);
    const deny = async () => (calls++, false);
    await cache.get('k2', deny);
    expect(await cache.get('k2', deny)).toBe(false);
    expect(calls).toBe(2);
  });

  it('shares one review among concurrent calls', async () => {
    let calls = 0;
    let release!: (v: string) => void;
    const cache = new ReviewCache<string>({ clock: () => 0 });
    const review = () => (calls++, new Promise<string>((r) => (release = r)));
    const a = cache.get('k', review);
    const b = cache.get('k', review);
    release('shared');
    expect(await Promise.all([a, b])).toEqual(['shared', 'shared']);
    expect(calls).toBe(1);
  });

  it('does not keep a failed review', async () => {
    let calls = 0;
    const cache = new ReviewCache<string>({ clock: () => 0 });
    await expect(cache.get('k', () => (calls++, Promise.reject(new Error('down'))))).rejects.toThrow('down');
    expect(cache.size).toBe(0);
    expect(await cache.get('k', async () => (calls++, 'up'))).toBe('up');
    expect(calls).toBe(2);
  });

  it('holds at most maxEntries, dropping expired then oldest entries', async () => {
    let now = 0;
    const cache = new ReviewCache<number>({ ttlMs: 100, maxEntries: 3, clock: () => now });
    for (let i = 0; i < 10; i++) await cache.get(`k${i}`, async () => i);
    expect(cache.size).toBe(3);
    let asked = false;
    expect(await cache.get('k9', async () => ((asked = true), -1))).toBe(9);
    expect(await cache.get('k0', async () => ((asked = true), -1))).toBe(-1);
    expect(asked).toBe(true);
    now = 1000;
    await cache.get('new', async () => 0);
    expect(cache.size).toBe(1);
  });
});

describe('digestKey', () => {
  it('hashes its parts without joining ambiguities, and never contains them', () => {
    expect(digestKey('a', 'bc')).not.toBe(digestKey('ab', 'c'));
    expect(digestKey('token', 's3cret')).toBe(digestKey('token', 's3cret'));
    expect(digestKey('token', 's3cret')).toMatch(/^[0-9a-f]{64}$/);
    expect(digestKey('token', 's3cret')).not.toContain('s3cret');
  });
});
