import { describe, expect, it } from 'vitest';
import type { AlertProvider, Canary } from '../api/types.ts';
import { DECISION_ANNOTATION, parseDecisionRecord } from '../gate/approval.ts';
import { memoryDecisionStore } from '../gate/decision-store.ts';
import { ABORT_ANNOTATION, APPROVE_ANNOTATION } from '../resources/meta.ts';
import { answerInteraction, type InteractivityContext } from './interactivity.ts';
import type { SlackReply } from './respond.ts';
import { blockActionsBody, slackHeaders } from './testing.ts';

const secret = 'signing-secret-of-the-app';
const now = Date.UTC(2026, 11, 2, 11, 0, 0);
const release = { namespace: 'test', name: 'podinfo', revision: 'rev-2' };
const responseUrl = 'https://hooks.slack.com/actions/T1/1/x';

function setup(phase: 'Waiting' | 'WaitingPromotion' | 'Succeeded' = 'WaitingPromotion') {
  const memory = memoryDecisionStore({ 'test/podinfo': { phase, revision: 'rev-2', annotations: {} } });
  const replies: { url: string; reply: SlackReply }[] = [];
  const canary = {
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      analysis: { alerts: [{ name: 'team', providerRef: { name: 'slack' }, approvers: ['U0ALICE'] }] },
    },
  } as Canary;
  const slack = { spec: { type: 'slack', approvers: ['U0BOB'] } } as AlertProvider;
  const ctx: InteractivityContext = {
    signingSecret: secret,
    now: () => now,
    canaries: async (ns, name) => (ns === 'test' && name === 'podinfo' ? canary : undefined),
    providers: async (ns, name) => (ns === 'test' && name === 'slack' ? slack : undefined),
    decisions: memory.store,
    reply: (url, reply) => replies.push({ url, reply }),
  };
  return { ...memory, replies, ctx };
}

function request(
  options: {
    action?: 'approve' | 'rollback';
    userId?: string;
    revision?: string;
    secret?: string;
    at?: number;
  } = {},
) {
  const body = blockActionsBody({
    action: options.action ?? 'approve',
    release: { ...release, revision: options.revision ?? release.revision },
    userId: options.userId ?? 'U0ALICE',
    userName: 'alice',
    responseUrl,
    messageTs: '1700000000.000100',
  });
  const headers = slackHeaders(options.secret ?? secret, body, options.at ?? now);
  return {
    method: 'POST',
    timestamp: headers['x-slack-request-timestamp'],
    signature: headers['x-slack-signature'],
    body,
  };
}

describe('Slack interactivity endpoint', () => {
  it('approves the named revision for an allowed user, records who, and answers in the thread', async () => {
    const { ctx, canaries, events, replies } = setup();
    const answer = await answerInteraction(request(), ctx);
    expect(answer).toEqual({
      status: 200,
      body: 'release rev-2 of podinfo.test approved by Slack user alice (U0ALICE)',
    });
    const annotations = canaries['test/podinfo'].annotations;
    expect(annotations[APPROVE_ANNOTATION]).toBe('rev-2');
    expect(parseDecisionRecord(annotations[DECISION_ANNOTATION])).toEqual({
      decision: 'approve',
      revision: 'rev-2',
      by: 'Slack user alice (U0ALICE)',
      via: 'Slack',
      at: new Date(now).toISOString(),
    });
    expect(events).toEqual([
      {
        namespace: 'test',
        name: 'podinfo',
        reason: 'Approved',
        note: 'Release rev-2 of podinfo.test approved by Slack user alice (U0ALICE) (Slack): its confirm-* gates and a hold for a person are open for this revision only',
      },
    ]);
    expect(replies).toEqual([
      {
        url: responseUrl,
        reply: {
          text: ':white_check_mark: <@U0ALICE> approved release rev-2 of podinfo.test: it continues.',
          threadTs: '1700000000.000100',
          ephemeral: false,
        },
      },
    ]);
  });

  it("lets the provider's approvers roll back a running release", async () => {
    const { ctx, canaries, events } = setup();
    expect((await answerInteraction(request({ action: 'rollback', userId: 'U0BOB' }), ctx)).status).toBe(200);
    expect(canaries['test/podinfo'].annotations[ABORT_ANNOTATION]).toBe('rev-2');
    expect(events.map((e) => e.reason)).toEqual(['RollbackRequested']);
  });

  it('401 for a wrong secret or a replayed old request: nothing written, nothing answered in Slack', async () => {
    const { ctx, canaries, events, replies } = setup();
    const wrong = await answerInteraction(request({ secret: 'guessed' }), ctx);
    expect(wrong).toEqual({
      status: 401,
      body: 'Unauthorized: X-Slack-Signature does not match the signing secret',
    });
    const replayed = await answerInteraction(request({ at: now - 10 * 60_000 }), ctx);
    expect(replayed.status).toBe(401);
    expect(replayed.body).toMatch(/stale or replayed/);
    const tampered = request();
    tampered.body = tampered.body.replace('U0ALICE', 'U0BOB');
    expect((await answerInteraction(tampered, ctx)).status).toBe(401);
    expect(canaries['test/podinfo'].annotations).toEqual({});
    expect(events).toEqual([]);
    expect(replies).toEqual([]);
  });

  it('403 for a user on no list: nothing written, the user is told', async () => {
    const { ctx, canaries, replies } = setup();
    const answer = await answerInteraction(request({ userId: 'U0MALLORY' }), ctx);
    expect(answer).toEqual({
      status: 403,
      body: 'Forbidden: Slack user alice (U0MALLORY) is not an approver of podinfo.test (approver lists: spec.analysis.alerts[0].approvers, AlertProvider test/slack)',
    });
    expect(canaries['test/podinfo'].annotations).toEqual({});
    expect(replies[0].reply).toMatchObject({ ephemeral: true });
    expect(replies[0].reply.text).toMatch(/not on the approver list of podinfo.test; nothing changed/);
  });

  it('409 for a revision that is no longer the waiting one, and for nothing to roll back', async () => {
    const { ctx, canaries } = setup();
    const old = await answerInteraction(request({ revision: 'rev-1' }), ctx);
    expect(old).toEqual({
      status: 409,
      body: 'release rev-1 of podinfo.test is no longer the current one (now rev-2, phase WaitingPromotion); nothing changed',
    });
    expect(canaries['test/podinfo'].annotations).toEqual({});
    const waiting = setup('Waiting');
    const rollback = await answerInteraction(request({ action: 'rollback' }), waiting.ctx);
    expect(rollback.status).toBe(409);
    expect(rollback.body).toMatch(/has not started: it takes no traffic and keeps waiting/);
    const done = setup('Succeeded');
    expect((await answerInteraction(request(), done.ctx)).status).toBe(409);
  });

  it('a second press is answered, not written again: the first approver stays on record', async () => {
    const { ctx, events } = setup();
    await answerInteraction(request(), ctx);
    const again = await answerInteraction(request({ userId: 'U0BOB' }), ctx);
    expect(again).toEqual({
      status: 200,
      body: 'release rev-2 of podinfo.test was already approved by Slack user alice (U0ALICE)',
    });
    expect(events).toHaveLength(1);
  });

  it('400 for a signed body that is not an action payload; 200 and nothing done for other interactions', async () => {
    const { ctx } = setup();
    const sign = (body: string) => {
      const h = slackHeaders(secret, body, now);
      return {
        method: 'POST',
        timestamp: h['x-slack-request-timestamp'],
        signature: h['x-slack-signature'],
        body,
      };
    };
    expect((await answerInteraction(sign('hello=1'), ctx)).status).toBe(400);
    const other = new URLSearchParams({ payload: JSON.stringify({ type: 'shortcut' }) }).toString();
    expect(await answerInteraction(sign(other), ctx)).toEqual({ status: 200, body: '' });
  });
});
