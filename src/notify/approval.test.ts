import { describe, expect, it } from 'vitest';
import { parseActionValue } from '../slack/action-value.ts';
import { approvalHints } from './approval.ts';
import { teamsAdaptiveCard, teamsMessageCard } from './msteams.ts';
import { slackMessage } from './slack.ts';
import { sampleAlert } from './testing/alerts.ts';
import { webhookBody } from './webhook.ts';

const waiting = (phase: string) =>
  sampleAlert({
    kind: 'waiting-approval',
    severity: 'info',
    phase,
    message: 'Waiting for approval to promote podinfo.test',
    measurements: [],
    approval: approvalHints('test', 'podinfo', 'rev-2', phase),
  });

type Button = { action_id: string; value: string; text: { text: string }; style: string };
const actionsOf = (blocks: unknown) =>
  (blocks as { type: string; elements?: Button[] }[]).find((b) => b.type === 'actions');

describe('approvals in alerts', () => {
  it('Slack: Approve and Roll back buttons naming the namespace, name and revision', () => {
    const actions = actionsOf(slackMessage(waiting('WaitingPromotion'), { approvalButtons: true }).blocks);
    expect(actions?.elements?.map((e) => [e.action_id, e.text.text, e.style])).toEqual([
      ['kanaria-approve', 'Approve', 'primary'],
      ['kanaria-rollback', 'Roll back', 'danger'],
    ]);
    for (const e of actions!.elements!)
      expect(parseActionValue(e.value)).toEqual({ namespace: 'test', name: 'podinfo', revision: 'rev-2' });
  });

  it('Slack: only Approve while the release has not started; no buttons where nobody may press them', () => {
    const waitingToStart = actionsOf(slackMessage(waiting('Waiting'), { approvalButtons: true }).blocks);
    expect(waitingToStart?.elements?.map((e) => e.action_id)).toEqual(['kanaria-approve']);
    const noApprovers = slackMessage(waiting('WaitingPromotion'), {});
    expect(actionsOf(noApprovers.blocks)).toBeUndefined();
    expect(JSON.stringify(noApprovers.blocks)).toContain('kanaria promote podinfo -n test');
    expect(actionsOf(slackMessage(sampleAlert(), { approvalButtons: true }).blocks)).toBeUndefined();
  });

  it('Teams and generic webhooks: the commands and the authenticated gate API call for that revision', () => {
    const alert = waiting('WaitingPromotion');
    for (const card of [teamsMessageCard(alert), teamsAdaptiveCard(alert)]) {
      const text = JSON.stringify(card);
      expect(text).toContain('Approve revision rev-2: `kanaria promote podinfo -n test`');
      expect(text).toContain('Roll back: `kanaria abort podinfo -n test`');
      expect(text).toContain('POST /release/approve (or /release/rollback)');
    }
    expect(webhookBody(alert).approval).toEqual({
      revision: 'rev-2',
      canRollback: true,
      commands: { approve: 'kanaria promote podinfo -n test', rollback: 'kanaria abort podinfo -n test' },
      gateApi: {
        approve: '/release/approve',
        rollback: '/release/rollback',
        body: { namespace: 'test', name: 'podinfo', revision: 'rev-2' },
      },
    });
  });
});
