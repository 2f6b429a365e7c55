import { afterEach, describe, expect, it } from 'vitest';
import type { Canary, CanaryStatus } from '../api/types.ts';
import type { Kube } from '../kube/client.ts';
import { createLogger } from '../observability/logger.ts';
import { sampleReleaseReport } from '../report/sample.ts';
import { noGateAuth, type CanaryAccess, type GateAuth, type GateIdentity } from './auth.ts';
import { answerReport, reportTarget, type ReportContext } from './report-route.ts';
import { answerGate, type GateDenial, type GateRequest } from './routes.ts';
import { startGateServer, type GateServer } from './server.ts';
import { memoryGateStore } from './store.ts';

/** A stand-in for TokenReview + SubjectAccessReview: tokens name users, grants name `user verb ns/name`. */
function fakeAuth(users: Record<string, string>, grants: string[]): GateAuth & { calls: string[] } {
  const calls: string[] = [];
  return {
    mode: 'kubernetes',
    calls,
    async authenticate(token) {
      calls.push('authenticate');
      return token && users[token] ? { username: users[token] } : undefined;
    },
    async authorize(identity: GateIdentity, t, access?: CanaryAccess) {
      const asked = `${identity.username} ${access?.verb ?? 'update'} ${t.namespace}/${t.name}`;
      calls.push(`authorize ${asked}`);
      return grants.includes(asked);
    },
  };
}

const USERS = { 'viewer-token': 'viewer', 'approver-token': 'approver', 'other-token': 'other' };
const GRANTS = ['viewer get shop/podinfo', 'viewer get shop/empty', 'approver update shop/podinfo'];

const sample = sampleReleaseReport();
const STATUS: CanaryStatus = {
  phase: 'Failed',
  revision: sample.revision,
  releaseStartTime: sample.startedAt,
  lastTransitionTime: sample.finishedAt,
  message: sample.reason,
  analysis: { revision: sample.revision ?? 'rev-1', intervals: sample.intervals },
};

function canary(name: string, status: CanaryStatus): Canary {
  return {
    apiVersion: 'kanaria.dev/v1beta1',
    kind: 'Canary',
    metadata: { name, namespace: 'shop' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      service: { port: 80 },
      analysis: { interval: '1m' },
    },
    status,
  } as Canary;
}

const CANARIES: Record<string, Canary> = {
  'shop/podinfo': canary('podinfo', STATUS),
  'shop/empty': canary('empty', { phase: 'Initialized' }),
};

function setup() {
  const auth = fakeAuth(USERS, GRANTS);
  const denials: GateDenial[] = [];
  const reads: string[] = [];
  const ctx: ReportContext = {
    auth,
    canaries: async (namespace, name) => {
      reads.push(`${namespace}/${name}`);
      return CANARIES[`${namespace}/${name}`];
    },
    onDenied: (d) => denials.push(d),
  };
  return { auth, ctx, denials, reads };
}

const get = (path: string, token?: string): GateRequest => ({
  method: 'GET',
  path,
  body: '',
  ...(token ? { authorization: `Bearer ${token}` } : {}),
});

describe('report route', () => {
  it('reads the Canary a path names', () => {
    expect(reportTarget('/report/shop/podinfo')).toEqual({ namespace: 'shop', name: 'podinfo' });
    for (const path of [
      '/report/shop',
      '/report/shop/podinfo/x',
      '/report//podinfo',
      '/report/Shop/a',
      '/gate/check',
    ])
      expect(reportTarget(path)).toBeUndefined();
  });

  it('serves the HTML report to a user who may get the Canary', async () => {
    const { ctx, auth } = setup();
    const res = await answerReport(get('/report/shop/podinfo', 'viewer-token'), ctx);
    expect(res.status).toBe(200);
    expect(res.headers).toEqual({ 'content-type': 'text/html; charset=utf-8' });
    expect(res.body).toMatch(/^<!DOCTYPE html>/);
    expect(res.body).toContain('Release report: shop/podinfo');
    expect(auth.calls).toEqual(['authenticate', 'authorize viewer get shop/podinfo']);
  });

  it('answers 401 without a valid token and 403 without get on that Canary, before reading it', async () => {
    const { ctx, denials, reads } = setup();
    expect(await answerReport(get('/report/shop/podinfo'), ctx)).toMatchObject({
      status: 401,
      headers: { 'www-authenticate': 'Bearer realm="kanaria-gate"' },
    });
    expect(await answerReport(get('/report/shop/podinfo', 'nobody'), ctx)).toMatchObject({ status: 401 });
    // Update on the Canary (what the gate asks) is not get.
    expect(await answerReport(get('/report/shop/podinfo', 'approver-token'), ctx)).toEqual({
      status: 403,
      body: 'Forbidden: user approver may not get canaries.kanaria.dev podinfo in namespace shop',
    });
    expect(await answerReport(get('/report/shop/missing', 'other-token'), ctx)).toMatchObject({
      status: 403,
    });
    expect(reads).toEqual([]);
    expect(denials.map((d) => [d.status, d.user])).toEqual([
      [401, undefined],
      [401, undefined],
      [403, 'approver'],
      [403, 'other'],
    ]);
    for (const token of ['nobody', 'approver-token', 'other-token'])
      expect(JSON.stringify(denials)).not.toContain(token);
  });

  it('answers 404 with a clear text when there is no Canary or no analysis recorded on it', async () => {
    const { ctx } = setup();
    const noAuth = { ...ctx, auth: noGateAuth() };
    expect(await answerReport(get('/report/shop/missing'), noAuth)).toEqual({
      status: 404,
      body: 'canary missing not found in namespace shop',
    });
    expect(await answerReport(get('/report/shop/empty', 'viewer-token'), ctx)).toMatchObject({
      status: 404,
      body: expect.stringMatching(
        /^canary empty in namespace shop: no analysis recorded yet: the report covers/,
      ),
    });
    expect(await answerReport(get('/report/shop'), noAuth)).toMatchObject({ status: 404 });
  });

  it('answers GET only, and 503 when the reviews cannot be made', async () => {
    const { ctx } = setup();
    expect(
      await answerReport({ ...get('/report/shop/podinfo', 'viewer-token'), method: 'POST' }, ctx),
    ).toEqual({
      status: 405,
      body: 'Method Not Allowed: use GET',
      headers: { allow: 'GET' },
    });
    const down: GateAuth = {
      ...ctx.auth,
      authorize: () => Promise.reject(new Error('connect ECONNREFUSED')),
    };
    expect(await answerReport(get('/report/shop/podinfo', 'viewer-token'), { ...ctx, auth: down })).toEqual({
      status: 503,
      body: 'Service Unavailable: cannot check access now: connect ECONNREFUSED',
    });
  });

  it('leaves the gate asking for update', async () => {
    const { auth } = setup();
    const store = memoryGateStore({ 'shop/podinfo': { revision: 'rev-1', annotations: {} } });
    const body = JSON.stringify({ name: 'podinfo', namespace: 'shop' });
    const open = { method: 'POST', path: '/gate/open', body, authorization: 'Bearer viewer-token' };
    expect(await answerGate(open, { store, auth })).toMatchObject({ status: 403 });
    expect(auth.calls).toContain('authorize viewer update shop/podinfo');
  });
});

describe('report route on the gate server', () => {
  let server: GateServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves /report/{namespace}/{name} as text/html next to the gate routes', async () => {
    const { auth, ctx } = setup();
    server = await startGateServer({
      kube: {} as Kube,
      log: createLogger('silent'),
      auth,
      host: '127.0.0.1',
      port: 0,
      store: memoryGateStore(),
      canaries: ctx.canaries,
    });
    const headers = { authorization: 'Bearer viewer-token' };
    const res = await fetch(`${server.url}/report/shop/podinfo`, { headers });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toContain('Release report: shop/podinfo');
    const missing = await fetch(`${server.url}/report/shop/empty?x=1`, { headers });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
