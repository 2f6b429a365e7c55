import { describe, expect, it } from 'vitest';
import {
  bearerToken,
  GATE_ACCESS,
  isGateAuthMode,
  kubernetesGateAuth,
  REPORT_ACCESS,
  sameToken,
  tokenGateAuth,
  type AccessReviewer,
  type GateIdentity,
} from './auth.ts';

describe('bearer tokens', () => {
  it('reads the token of a Bearer header only', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer  abc ')).toBe('abc');
    expect(bearerToken('Bearer ')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('compares shared tokens exactly', () => {
    expect(sameToken('abc', 'abc')).toBe(true);
    expect(sameToken('abcd', 'abc')).toBe(false);
    expect(sameToken(undefined, 'abc')).toBe(false);
    expect(() => tokenGateAuth('')).toThrow(/empty/);
  });

  it('knows the modes', () => {
    expect(['kubernetes', 'token', 'none'].every(isGateAuthMode)).toBe(true);
    expect(isGateAuthMode('anonymous')).toBe(false);
  });
});

describe('kubernetes gate auth', () => {
  function reviewer() {
    const calls = { tokens: [] as string[], access: [] as string[] };
    const users: Record<string, GateIdentity> = {
      good: { username: 'alice', groups: ['team-a', 'system:authenticated'], extra: { scope: ['x'] } },
    };
    const r: AccessReviewer = {
      async reviewToken(token) {
        calls.tokens.push(token);
        return users[token];
      },
      async reviewAccess(identity, t) {
        calls.access.push(`${identity.username} ${t.namespace}/${t.name}`);
        return t.namespace === 'a';
      },
    };
    return { r, calls };
  }

  it('asks the API server once per token and per question within the cache time', async () => {
    let now = 0;
    const { r, calls } = reviewer();
    const auth = kubernetesGateAuth(r, { ttlMs: 10_000, clock: () => now });
    expect(await auth.authenticate(undefined)).toBeUndefined();
    expect(await auth.authenticate('')).toBeUndefined();
    expect(calls.tokens).toEqual([]);
    const alice = await auth.authenticate('good');
    expect(alice?.username).toBe('alice');
    expect(await auth.authenticate('bad')).toBeUndefined();
    for (let i = 0; i < 5; i++) {
      await auth.authenticate('good');
      await auth.authenticate('bad');
    }
    expect(calls.tokens).toEqual(['good', 'bad']);

    expect(await auth.authorize(alice!, { namespace: 'a', name: 'web' })).toBe(true);
    expect(await auth.authorize(alice!, { namespace: 'b', name: 'web' })).toBe(false);
    // The same user with groups in another order is the same question.
    const reordered = { ...alice!, groups: [...alice!.groups!].reverse() };
    expect(await auth.authorize(reordered, { namespace: 'b', name: 'web' })).toBe(false);
    expect(await auth.authorize(alice!, { namespace: 'a', name: 'api' })).toBe(true);
    expect(calls.access).toEqual(['alice a/web', 'alice b/web', 'alice a/api']);

    now = 10_000;
    await auth.authenticate('good');
    await auth.authorize(alice!, { namespace: 'a', name: 'web' });
    expect(calls.tokens).toEqual(['good', 'bad', 'good']);
    expect(calls.access).toHaveLength(4);
  });

  it('asks get and update on a Canary as separate questions, update by default', async () => {
    const asked: string[] = [];
    const r: AccessReviewer = {
      async reviewToken() {
        return { username: 'alice' };
      },
      async reviewAccess(identity, t, access) {
        asked.push(`${access.verb} ${t.namespace}/${t.name}`);
        return access.verb === 'get';
      },
    };
    const auth = kubernetesGateAuth(r, { clock: () => 0 });
    const alice = { username: 'alice' };
    const web = { namespace: 'a', name: 'web' };
    expect(await auth.authorize(alice, web, REPORT_ACCESS)).toBe(true);
    expect(await auth.authorize(alice, web)).toBe(false);
    expect(await auth.authorize(alice, web, GATE_ACCESS)).toBe(false);
    expect(await auth.authorize(alice, web, REPORT_ACCESS)).toBe(true);
    expect(asked).toEqual(['get a/web', 'update a/web']);
  });

  it('lets a failed review fail the request without caching it', async () => {
    let up = false;
    const r: AccessReviewer = {
      async reviewToken() {
        if (!up) throw new Error('API server unreachable');
        return { username: 'alice' };
      },
      async reviewAccess() {
        return true;
      },
    };
    const auth = kubernetesGateAuth(r, { clock: () => 0 });
    await expect(auth.authenticate('t')).rejects.toThrow('unreachable');
    up = true;
    expect(await auth.authenticate('t')).toEqual({ username: 'alice' });
  });
});
