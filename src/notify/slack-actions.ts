/** The Approve and Roll back buttons of a Slack waiting-approval alert (Block Kit actions block). */
import { ACTION_IDS, formatActionValue } from '../slack/action-value.ts';
import type { Alert } from './notifier.ts';

type PlainText = { type: 'plain_text'; text: string };
const plain = (text: string): PlainText => ({ type: 'plain_text', text });

export interface SlackButton {
  type: 'button';
  action_id: string;
  text: PlainText;
  value: string;
  style: 'primary' | 'danger';
  confirm?: { title: PlainText; text: PlainText; confirm: PlainText; deny: PlainText };
}

export interface SlackActionsBlock {
  type: 'actions';
  block_id: string;
  elements: SlackButton[];
}

/** The actions block for an alert that carries approval hints; undefined for any other alert. */
export function approvalActions(alert: Alert): SlackActionsBlock | undefined {
  const hints = alert.approval;
  if (!hints) return undefined;
  const value = formatActionValue({
    namespace: alert.namespace,
    name: alert.canary,
    revision: hints.revision,
  });
  const id = `${alert.canary}.${alert.namespace}`;
  const elements: SlackButton[] = [
    { type: 'button', action_id: ACTION_IDS.approve, text: plain('Approve'), style: 'primary', value },
  ];
  if (hints.canRollback)
    elements.push({
      type: 'button',
      action_id: ACTION_IDS.rollback,
      text: plain('Roll back'),
      style: 'danger',
      value,
      confirm: {
        title: plain('Roll back?'),
        text: plain(`Traffic of ${id} goes back to the primary and release ${hints.revision} fails.`),
        confirm: plain('Roll back'),
        deny: plain('Cancel'),
      },
    });
  return { type: 'actions', block_id: `kanaria-approval-${hints.revision}`.slice(0, 255), elements };
}
