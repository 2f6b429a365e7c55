import { describe, expect, it } from 'vitest';
import { ABORT_ANNOTATION, APPROVE_ANNOTATION } from '../resources/meta.ts';
import { SHARED_TOKEN_USER, tokenGateAuth, type GateAuth } from './auth.ts';
import { memoryDecisionStore } from './decision-store.ts';
import { answerRelease } from './release-routes.ts';

const body = (revision = 'rev-2') => JSON.stringify({ namespace: 'test', name: 'podinfo', revision });

function setup(auth: GateAuth = tokenGateAuth('s3cret')) {
  const memory = memoryDecisionStore({
    'test/podinfo': { phase: 'WaitingPromotion', revision: 'rev-2', annotations: {} },
  });
  const call = (path: string, b = body(), authorization: string | undefined = 'Bearer s3cret') =>
    answerRelease({ method: 'POST', path, authorization, body: b }, { auth, decisions: memory.store });
  return { ...memory, call };
}

describe('gate API decisions about one revision (/release/approve, /release/rollback)', () => {
  it('approves and rolls back for the bearer of a token allowed to update the Canary', async () => {
    const { call, canaries, events } = setup();
    expect(await call('/release/approve')).toMatchObject({
      status: 200,
      body: `release rev-2 of podinfo.test approved by ${SHARED_TOKEN_USER}`,
    });
    expect(await call('/release/rollback')).toMatchObject({ status: 200 });
    expect(canaries['test/podinfo'].annotations).toMatchObject({
      [APPROVE_ANNOTATION]: 'rev-2',
      [ABORT_ANNOTATION]: 'rev-2',
    });
    expect(events.map((e) => e.reason)).toEqual(['Approved', 'RollbackRequested']);
  });

  it('401 without a valid token, 403 when its user may not update the Canary, 409 for another revision', async () => {
    const { call, canaries } = setup();
    expect((await call('/release/approve', body(), '')).status).toBe(401);
    expect((await call('/release/approve', body(), 'Bearer wrong')).status).toBe(401);
    expect((await call('/release/approve', body('rev-1'))).status).toBe(409);
    const denying: GateAuth = {
      mode: 'kubernetes',
      authenticate: async () => ({ username: 'bob' }),
      authorize: async () => false,
    };
    const denied = await setup(denying).call('/release/approve');
    expect(denied).toMatchObject({
      status: 403,
      body: 'Forbidden: user bob may not update canaries.kanaria.dev podinfo in namespace test',
    });
    expect(canaries['test/podinfo'].annotations).toEqual({});
  });

  it('needs POST and a body naming the revision', async () => {
    const { call } = setup();
    expect(
      (await call('/release/approve', JSON.stringify({ namespace: 'test', name: 'podinfo' }))).status,
    ).toBe(400);
    const get = await answerRelease(
      { method: 'GET', path: '/release/approve', body: '' },
      { auth: tokenGateAuth('s3cret'), decisions: setup().store },
    );
    expect(get.status).toBe(405);
  });
});
