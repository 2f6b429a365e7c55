import { describe, expect, it } from 'vitest';
import type { AlertProvider, Canary, CanaryAlert } from '../api/types.ts';
import { approversOf } from './approvers.ts';

const provider = (namespace: string, name: string, type: 'slack' | 'msteams', approvers?: string[]) =>
  ({
    apiVersion: 'kanaria.dev/v1beta1',
    kind: 'AlertProvider',
    metadata: { name, namespace },
    spec: { type, address: 'https://hooks.slack.com/services/x', approvers },
  }) as AlertProvider;

const providers = [
  provider('team-a', 'slack', 'slack', ['U0ALICE']),
  provider('shared', 'oncall', 'slack', ['U0CAROL']),
  provider('team-a', 'teams', 'msteams', ['U0MALLORY']),
  provider('team-a', 'quiet', 'slack'),
];
const lookup = async (namespace: string, name: string) =>
  providers.find((p) => p.metadata.namespace === namespace && p.metadata.name === name);

const canary = (alerts: CanaryAlert[]) =>
  ({ metadata: { name: 'podinfo', namespace: 'team-a' }, spec: { analysis: { alerts } } }) as Canary;

describe('who may approve from Slack', () => {
  it('allows the users of the alert entries and of the Slack providers they name, nobody else', async () => {
    const list = await approversOf(
      canary([
        { name: 'team', providerRef: { name: 'slack' }, approvers: ['U0BOB'] },
        { name: 'oncall', providerRef: { name: 'oncall', namespace: 'shared' } },
      ]),
      lookup,
    );
    expect([...list.users].sort()).toEqual(['U0ALICE', 'U0BOB', 'U0CAROL']);
    expect(list.sources).toEqual([
      'spec.analysis.alerts[0].approvers',
      'AlertProvider team-a/slack',
      'AlertProvider shared/oncall',
    ]);
  });

  it('grants nothing through a provider that is not Slack, one that is missing, or lists without names', async () => {
    const list = await approversOf(
      canary([
        { name: 'teams', providerRef: { name: 'teams' }, approvers: ['U0EVE'] },
        { name: 'gone', providerRef: { name: 'missing' }, approvers: ['U0EVE'] },
        { name: 'quiet', providerRef: { name: 'quiet' } },
      ]),
      lookup,
    );
    expect(list.users.size).toBe(0);
    expect(list.sources).toEqual([]);
    expect((await approversOf(canary([]), lookup)).users.size).toBe(0);
  });
});
