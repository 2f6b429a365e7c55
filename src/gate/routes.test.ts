import { describe, expect, it } from 'vitest';
import { GATE_ANNOTATION, ROLLBACK_GATE_ANNOTATION } from '../resources/meta.ts';
import { answerGate, authorized, isGatePath, type GateRequest } from './routes.ts';
import { memoryGateStore } from './store.ts';

const payload = JSON.stringify({ name: 'podinfo', namespace: 'test', phase: 'Progressing', checksum: 'x' });
const post = (path: string, extra: Partial<GateRequest> = {}): GateRequest => ({
  method: 'POST',
  path,
  body: payload,
  ...extra,
});

describe('gate routes', () => {
  it('knows its paths', () => {
    expect(isGatePath('/gate/check')).toBe(true);
    expect(isGatePath('/rollback/open')).toBe(true);
    expect(isGatePath('/healthz')).toBe(false);
    expect(isGatePath('/gate/')).toBe(false);
  });

  it('keeps the gate closed until opened, and closes it again', async () => {
    const store = memoryGateStore({ 'test/podinfo': {} });
    const ctx = { store };
    expect(await answerGate(post('/gate/check'), ctx)).toMatchObject({ status: 403, body: 'Forbidden' });
    expect(await answerGate(post('/gate/open'), ctx)).toMatchObject({ status: 202 });
    expect(store.canaries['test/podinfo'][GATE_ANNOTATION]).toBe('open');
    expect(await answerGate(post('/gate/check'), ctx)).toMatchObject({ status: 200, body: 'Approved' });
    expect(await answerGate(post('/gate/close'), ctx)).toMatchObject({ status: 202 });
    expect(store.canaries['test/podinfo'][GATE_ANNOTATION]).toBe('closed');
    expect(await answerGate(post('/gate/check'), ctx)).toMatchObject({ status: 403 });
  });

  it('keeps the rollback gate apart from the confirm gate', async () => {
    const store = memoryGateStore({ 'test/podinfo': { [GATE_ANNOTATION]: 'open' } });
    expect(await answerGate(post('/rollback/check'), { store })).toMatchObject({ status: 403 });
    expect(await answerGate(post('/rollback/open'), { store })).toMatchObject({ status: 202 });
    expect(store.canaries['test/podinfo'][ROLLBACK_GATE_ANNOTATION]).toBe('open');
    expect(await answerGate(post('/rollback/check'), { store })).toMatchObject({ status: 200 });
    await answerGate(post('/rollback/close'), { store });
    expect(await answerGate(post('/rollback/check'), { store })).toMatchObject({ status: 403 });
  });

  it('answers approve and halt whatever the canary', async () => {
    const store = memoryGateStore();
    expect(await answerGate(post('/gate/approve', { body: '' }), { store })).toEqual({
      status: 200,
      body: 'Approved',
    });
    expect(await answerGate(post('/gate/halt', { method: 'GET' }), { store })).toMatchObject({
      status: 403,
      body: 'Forbidden',
    });
  });

  it('names an unknown canary', async () => {
    const store = memoryGateStore();
    for (const path of ['/gate/check', '/gate/open', '/rollback/check', '/rollback/close'])
      expect(await answerGate(post(path), { store })).toEqual({
        status: 404,
        body: 'canary podinfo not found in namespace test',
      });
  });

  it('requires the token to open or close a gate when one is configured', async () => {
    const store = memoryGateStore({ 'test/podinfo': {} });
    const ctx = { store, token: 's3cret' };
    expect(await answerGate(post('/gate/open'), ctx)).toMatchObject({ status: 401 });
    expect(await answerGate(post('/gate/open', { authorization: 'Bearer wrong' }), ctx)).toMatchObject({
      status: 401,
    });
    expect(await answerGate(post('/rollback/open', { authorization: 'Basic s3cret' }), ctx)).toMatchObject({
      status: 401,
    });
    expect(store.canaries['test/podinfo']).toEqual({});
    expect(await answerGate(post('/gate/open', { authorization: 'Bearer s3cret' }), ctx)).toMatchObject({
      status: 202,
    });
    // Checks stay open to the controller's webhook calls, which carry no token.
    expect(await answerGate(post('/gate/check'), ctx)).toMatchObject({ status: 200 });
  });

  it('rejects bodies that are not webhook payloads and methods other than POST', async () => {
    const store = memoryGateStore({ 'test/podinfo': {} });
    for (const body of ['', 'not json', '[]', '{"name":"podinfo"}', '{"name":1,"namespace":"test"}'])
      expect(await answerGate(post('/gate/check', { body }), { store })).toMatchObject({ status: 400 });
    expect(await answerGate(post('/gate/check', { method: 'GET' }), { store })).toMatchObject({
      status: 405,
      headers: { allow: 'POST' },
    });
  });

  it('compares bearer tokens exactly', () => {
    expect(authorized('Bearer abc', 'abc')).toBe(true);
    expect(authorized('bearer  abc ', 'abc')).toBe(true);
    expect(authorized('Bearer abcd', 'abc')).toBe(false);
    expect(authorized(undefined, 'abc')).toBe(false);
    expect(authorized('abc', 'abc')).toBe(false);
  });
});
