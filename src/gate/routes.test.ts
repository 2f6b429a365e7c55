import { describe, expect, it } from 'vitest';
import { GATE_ANNOTATION, ROLLBACK_GATE_ANNOTATION } from '../resources/meta.ts';
import { noGateAuth, tokenGateAuth, type GateAuth, type GateIdentity } from './auth.ts';
import { answerGate, eventNote, isGatePath, type GateDenial, type GateRequest } from './routes.ts';
import { formatGateRecord, parseGateRecord } from './record.ts';
import { memoryGateStore } from './store.ts';

const payload = JSON.stringify({ name: 'podinfo', namespace: 'test', phase: 'Progressing', checksum: 'x' });
const post = (path: string, extra: Partial<GateRequest> = {}): GateRequest => ({
  method: 'POST',
  path,
  body: payload,
  ...extra,
});
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const NOW = new Date('2026-05-04T10:00:00.000Z');

/** A stand-in for TokenReview + SubjectAccessReview: tokens name users, grants name `user ns/name`. */
function fakeAuth(users: Record<string, string>, grants: string[]): GateAuth & { calls: string[] } {
  const calls: string[] = [];
  return {
    mode: 'kubernetes',
    calls,
    async authenticate(token) {
      calls.push('authenticate');
      return token && users[token] ? { username: users[token] } : undefined;
    },
    async authorize(identity: GateIdentity, t) {
      calls.push(`authorize ${identity.username} ${t.namespace}/${t.name}`);
      return grants.includes(`${identity.username} ${t.namespace}/${t.name}`);
    },
  };
}

const USERS = { 'a-token': 'system:serviceaccount:test:approver', 'b-token': 'system:serviceaccount:b:x' };
const GRANTS = ['system:serviceaccount:test:approver test/podinfo'];

function setup(revision: string | null = 'rev-1', annotations: Record<string, string> = {}) {
  const store = memoryGateStore({ 'test/podinfo': { revision: revision ?? undefined, annotations } });
  const auth = fakeAuth(USERS, GRANTS);
  const denials: GateDenial[] = [];
  const ctx = { store, auth, now: () => NOW, onDenied: (d: GateDenial) => denials.push(d) };
  return { store, auth, ctx, denials, annotations: () => store.canaries['test/podinfo'].annotations };
}

describe('gate routes', () => {
  it('knows its paths', () => {
    expect(isGatePath('/gate/check')).toBe(true);
    expect(isGatePath('/rollback/open')).toBe(true);
    expect(isGatePath('/healthz')).toBe(false);
    expect(isGatePath('/gate/')).toBe(false);
  });

  it('keeps the gate closed until opened, records who opened it for which revision, and closes it again', async () => {
    const { ctx, store, annotations } = setup();
    expect(await answerGate(post('/gate/check'), ctx)).toMatchObject({ status: 403, body: 'Forbidden' });
    expect(await answerGate(post('/gate/open', bearer('a-token')), ctx)).toEqual({
      status: 200,
      body: 'gate opened for revision rev-1 of podinfo.test by system:serviceaccount:test:approver',
    });
    expect(parseGateRecord(annotations()[GATE_ANNOTATION])).toEqual({
      state: 'open',
      revision: 'rev-1',
      by: 'system:serviceaccount:test:approver',
      at: '2026-05-04T10:00:00.000Z',
    });
    expect(store.events).toEqual([
      {
        namespace: 'test',
        name: 'podinfo',
        reason: 'GateOpened',
        action: 'Approve',
        note: 'Gate opened by system:serviceaccount:test:approver for revision rev-1 of podinfo.test: its confirm-* webhooks on /gate/check pass for this revision only',
      },
    ]);
    expect(await answerGate(post('/gate/check'), ctx)).toMatchObject({ status: 200, body: 'Approved' });
    expect(await answerGate(post('/gate/close', bearer('a-token')), ctx)).toMatchObject({ status: 200 });
    expect(parseGateRecord(annotations()[GATE_ANNOTATION])).toMatchObject({
      state: 'closed',
      revision: 'rev-1',
    });
    expect(store.events.map((e) => e.reason)).toEqual(['GateOpened', 'GateClosed']);
    expect(await answerGate(post('/gate/check'), ctx)).toMatchObject({ status: 403 });
  });

  it('opens a gate for one revision only: the next revision finds it closed', async () => {
    const { ctx, store } = setup('rev-1');
    await answerGate(post('/gate/open', bearer('a-token')), ctx);
    expect(await answerGate(post('/gate/check'), ctx)).toMatchObject({ status: 200 });
    store.canaries['test/podinfo'].revision = 'rev-2';
    expect(await answerGate(post('/gate/check'), ctx)).toMatchObject({ status: 403 });
    store.canaries['test/podinfo'].revision = undefined;
    expect(await answerGate(post('/gate/check'), ctx)).toMatchObject({ status: 403 });
  });

  it("answers for the revision a webhook names: a release not recorded yet finds the last one's approval closed", async () => {
    const { ctx } = setup('rev-1');
    await answerGate(post('/gate/open', bearer('a-token')), ctx);
    const asking = (revision: string) => JSON.stringify({ name: 'podinfo', namespace: 'test', revision });
    // status.revision still names rev-1 while the controller decides whether rev-2 may start.
    expect(await answerGate(post('/gate/check', { body: asking('rev-2') }), ctx)).toMatchObject({
      status: 403,
    });
    expect(await answerGate(post('/rollback/check', { body: asking('rev-1') }), ctx)).toMatchObject({
      status: 403,
    });
    expect(await answerGate(post('/gate/check', { body: asking('rev-1') }), ctx)).toMatchObject({
      status: 200,
    });
  });

  it('reads the old plain `open` value as closed', async () => {
    const { ctx } = setup('rev-1', { [GATE_ANNOTATION]: 'open', [ROLLBACK_GATE_ANNOTATION]: 'open' });
    expect(await answerGate(post('/gate/check'), ctx)).toMatchObject({ status: 403 });
    expect(await answerGate(post('/rollback/check'), ctx)).toMatchObject({ status: 403 });
  });

  it('answers 401 without a valid token, 403 when the user may not update the canary, before reading it', async () => {
    const { ctx, store, auth, denials, annotations } = setup();
    const unauthorized = { status: 401, headers: { 'www-authenticate': 'Bearer realm="kanaria-gate"' } };
    expect(await answerGate(post('/gate/open'), ctx)).toMatchObject(unauthorized);
    expect(await answerGate(post('/gate/open', { authorization: 'Basic a-token' }), ctx)).toMatchObject(
      unauthorized,
    );
    expect(await answerGate(post('/gate/open', { authorization: 'Bearer ' }), ctx)).toMatchObject(
      unauthorized,
    );
    expect(await answerGate(post('/rollback/open', bearer('nobody')), ctx)).toMatchObject(unauthorized);
    expect(await answerGate(post('/gate/open', bearer('b-token')), ctx)).toEqual({
      status: 403,
      body: 'Forbidden: user system:serviceaccount:b:x may not update canaries.kanaria.dev podinfo in namespace test',
    });
    // Another namespace's canary: refused before anyone learns whether it exists.
    const other = JSON.stringify({ name: 'podinfo', namespace: 'b' });
    expect(await answerGate(post('/gate/open', { ...bearer('a-token'), body: other }), ctx)).toMatchObject({
      status: 403,
    });
    expect(annotations()).toEqual({});
    expect(store.events).toEqual([]);
    expect(denials.map((d) => d.status)).toEqual([401, 401, 401, 401, 403, 403]);
    for (const token of ['a-token', 'b-token', 'nobody'])
      expect(JSON.stringify(denials)).not.toContain(token);
    expect(auth.calls.filter((c) => c === 'authenticate')).toHaveLength(3);
    expect(auth.calls).toContain('authorize system:serviceaccount:test:approver b/podinfo');
  });

  it('keeps checks open to the webhooks, which carry no token', async () => {
    const { ctx, auth } = setup();
    await answerGate(post('/gate/open', bearer('a-token')), ctx);
    auth.calls.length = 0;
    expect(await answerGate(post('/gate/check'), ctx)).toMatchObject({ status: 200 });
    expect(await answerGate(post('/gate/check', bearer('garbage')), ctx)).toMatchObject({ status: 200 });
    expect(auth.calls).toEqual([]);
  });

  it('keeps the rollback gate apart from the confirm gate', async () => {
    const open = formatGateRecord({ state: 'open', revision: 'rev-1' });
    const { ctx, store, annotations } = setup('rev-1', { [GATE_ANNOTATION]: open });
    expect(await answerGate(post('/rollback/check'), ctx)).toMatchObject({ status: 403 });
    expect(await answerGate(post('/rollback/open', bearer('a-token')), ctx)).toMatchObject({
      status: 200,
      body: 'rollback gate opened for revision rev-1 of podinfo.test by system:serviceaccount:test:approver',
    });
    expect(parseGateRecord(annotations()[ROLLBACK_GATE_ANNOTATION])).toMatchObject({
      state: 'open',
      revision: 'rev-1',
    });
    expect(store.events[0]).toMatchObject({ reason: 'RollbackRequested', action: 'RequestRollback' });
    expect(await answerGate(post('/rollback/check'), ctx)).toMatchObject({ status: 200 });
    await answerGate(post('/rollback/close', bearer('a-token')), ctx);
    expect(store.events[1]).toMatchObject({ reason: 'RollbackGateClosed' });
    expect(await answerGate(post('/rollback/check'), ctx)).toMatchObject({ status: 403 });
    expect(await answerGate(post('/gate/check'), ctx)).toMatchObject({ status: 200 });
  });

  it('refuses to open a gate with no release recorded, or for a revision that is not the current one', async () => {
    const none = setup(null);
    expect(await answerGate(post('/gate/open', bearer('a-token')), none.ctx)).toMatchObject({ status: 409 });
    expect(none.annotations()).toEqual({});
    // Closing needs no revision.
    expect(await answerGate(post('/gate/close', bearer('a-token')), none.ctx)).toMatchObject({ status: 200 });

    const { ctx, annotations } = setup('rev-2');
    const stale = JSON.stringify({ name: 'podinfo', namespace: 'test', revision: 'rev-1' });
    expect(await answerGate(post('/gate/open', { ...bearer('a-token'), body: stale }), ctx)).toEqual({
      status: 409,
      body: 'Conflict: the current revision of podinfo.test is rev-2, not rev-1',
    });
    expect(annotations()).toEqual({});
    const current = JSON.stringify({ name: 'podinfo', namespace: 'test', revision: 'rev-2' });
    expect(await answerGate(post('/gate/open', { ...bearer('a-token'), body: current }), ctx)).toMatchObject({
      status: 200,
    });
  });

  it('answers 503 when the reviews cannot be made, and still changes the gate when only its Event fails', async () => {
    const { store, ctx, annotations } = setup();
    const down = new Error('connect ECONNREFUSED');
    const failing = (which: 'authenticate' | 'authorize'): GateAuth => ({
      ...ctx.auth,
      [which]: () => Promise.reject(down),
    });
    expect(
      await answerGate(post('/gate/open', bearer('a-token')), { ...ctx, auth: failing('authenticate') }),
    ).toEqual({
      status: 503,
      body: 'Service Unavailable: cannot verify the token now: connect ECONNREFUSED',
    });
    expect(
      await answerGate(post('/gate/open', bearer('a-token')), { ...ctx, auth: failing('authorize') }),
    ).toMatchObject({
      status: 503,
    });
    expect(annotations()).toEqual({});

    const eventErrors: unknown[] = [];
    const noEvents = { ...store, event: () => Promise.reject(new Error('events forbidden')) };
    const res = await answerGate(post('/gate/open', bearer('a-token')), {
      ...ctx,
      store: noEvents,
      onEventError: (err) => eventErrors.push(err),
    });
    expect(res.status).toBe(200);
    expect(parseGateRecord(annotations()[GATE_ANNOTATION])?.state).toBe('open');
    expect(eventErrors).toHaveLength(1);
  });

  it('with the shared token: that token only, recorded as its holder', async () => {
    const { ctx, annotations } = setup();
    const shared = { ...ctx, auth: tokenGateAuth('s3cret') };
    expect(await answerGate(post('/gate/open'), shared)).toMatchObject({ status: 401 });
    expect(await answerGate(post('/gate/open', bearer('wrong')), shared)).toMatchObject({ status: 401 });
    expect(await answerGate(post('/gate/open', bearer('s3cret')), shared)).toMatchObject({ status: 200 });
    expect(parseGateRecord(annotations()[GATE_ANNOTATION])?.by).toBe('holder of the shared gate token');
  });

  it('with auth none: anyone, recorded as anonymous', async () => {
    const { ctx, annotations } = setup();
    expect(await answerGate(post('/gate/open'), { ...ctx, auth: noGateAuth() })).toMatchObject({
      status: 200,
    });
    expect(parseGateRecord(annotations()[GATE_ANNOTATION])?.by).toBe('anonymous (gate auth none)');
  });

  it('answers approve and halt whatever the canary', async () => {
    const { ctx } = setup();
    expect(await answerGate(post('/gate/approve', { body: '' }), ctx)).toEqual({
      status: 200,
      body: 'Approved',
    });
    expect(await answerGate(post('/gate/halt', { method: 'GET' }), ctx)).toMatchObject({
      status: 403,
      body: 'Forbidden',
    });
  });

  it('names an unknown canary to callers allowed to know', async () => {
    const store = memoryGateStore();
    const ctx = { store, auth: fakeAuth(USERS, GRANTS) };
    for (const path of ['/gate/check', '/gate/open', '/rollback/check', '/rollback/close'])
      expect(await answerGate(post(path, bearer('a-token')), ctx)).toEqual({
        status: 404,
        body: 'canary podinfo not found in namespace test',
      });
  });

  it('rejects bodies that are not webhook payloads and methods other than POST', async () => {
    const { ctx } = setup();
    for (const body of [
      '',
      'not json',
      '[]',
      '{"name":"podinfo"}',
      '{"name":1,"namespace":"test"}',
      '{"name":"podinfo","namespace":"test","revision":7}',
    ]) {
      expect(await answerGate(post('/gate/check', { body }), ctx)).toMatchObject({ status: 400 });
      expect(await answerGate(post('/gate/open', { ...bearer('a-token'), body }), ctx)).toMatchObject({
        status: 400,
      });
    }
    expect(await answerGate(post('/gate/check', { method: 'GET' }), ctx)).toMatchObject({
      status: 405,
      headers: { allow: 'POST' },
    });
  });

  it('writes Event notes that name the user and the revision', () => {
    const change = { namespace: 'a', name: 'web', user: 'alice', revision: 'r9' } as const;
    expect(eventNote({ ...change, gate: 'confirm', state: 'closed' })).toBe(
      'Gate closed by alice (revision r9 of web.a)',
    );
    expect(eventNote({ ...change, gate: 'rollback', state: 'open' })).toMatch(
      /^Rollback requested by alice for revision r9 of web\.a/,
    );
    expect(eventNote({ ...change, revision: undefined, gate: 'rollback', state: 'closed' })).toBe(
      'Rollback gate closed by alice (no recorded revision of web.a)',
    );
  });
});
