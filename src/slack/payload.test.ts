import { describe, expect, it } from 'vitest';
import { parseInteraction } from './payload.ts';
import { blockActionsBody } from './testing.ts';

const release = { namespace: 'test', name: 'podinfo', revision: '5d8f9c' };

describe('Slack interactivity payloads', () => {
  it('reads the action, the release its button names, the user, response_url and the message ts', () => {
    const body = blockActionsBody({
      action: 'approve',
      release,
      userId: 'U024BE7LH',
      userName: 'alice',
      responseUrl: 'https://hooks.slack.com/actions/T1/2/x',
      messageTs: '1700000000.000100',
    });
    expect(parseInteraction(body)).toEqual({
      kind: 'approval',
      request: {
        action: 'approve',
        release,
        user: { id: 'U024BE7LH', name: 'alice' },
        responseUrl: 'https://hooks.slack.com/actions/T1/2/x',
        messageTs: '1700000000.000100',
      },
    });
    const rollback = parseInteraction(blockActionsBody({ action: 'rollback', release, userId: 'U1X' }));
    expect(rollback).toMatchObject({
      kind: 'approval',
      request: { action: 'rollback', user: { id: 'U1X' } },
    });
  });

  it('ignores other payload types and other actions', () => {
    const form = (p: object) => new URLSearchParams({ payload: JSON.stringify(p) }).toString();
    expect(parseInteraction(form({ type: 'view_submission', user: { id: 'U1' } })).kind).toBe('ignored');
    expect(
      parseInteraction(form({ type: 'block_actions', user: { id: 'U1' }, actions: [{ action_id: 'other' }] }))
        .kind,
    ).toBe('ignored');
  });

  it('refuses bodies that are not a payload naming a user and a release', () => {
    const form = (p: string) => new URLSearchParams({ payload: p }).toString();
    expect(parseInteraction('text=hello')).toEqual({
      kind: 'invalid',
      reason: 'the form has no payload field',
    });
    expect(parseInteraction(form('{not json')).kind).toBe('invalid');
    expect(parseInteraction(form('[]')).kind).toBe('invalid');
    const noUser = { type: 'block_actions', actions: [{ action_id: 'kanaria-approve', value: '{}' }] };
    expect(parseInteraction(form(JSON.stringify(noUser)))).toEqual({
      kind: 'invalid',
      reason: 'the payload names no user.id',
    });
    const badValue = { ...noUser, user: { id: 'U1' } };
    expect(parseInteraction(form(JSON.stringify(badValue)))).toEqual({
      kind: 'invalid',
      reason: 'the action value does not name a namespace, name and revision',
    });
  });
});
