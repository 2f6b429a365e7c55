import { describe, expect, it } from 'vitest';
import type { AlertProvider, AlertProviderSpec, Canary } from './types.ts';
import { validateAlertProvider, validateCanary } from './validate.ts';

const provider = (spec: Partial<AlertProviderSpec>): AlertProvider => ({
  apiVersion: 'kanaria.dev/v1beta1',
  kind: 'AlertProvider',
  metadata: { name: 'slack', namespace: 'test' },
  spec: { type: 'slack', address: 'https://hooks.slack.com/services/T/B/X', ...spec },
});

const canary = (approvers: unknown): Canary =>
  ({
    apiVersion: 'kanaria.dev/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'podinfo' },
      service: { port: 80 },
      analysis: {
        interval: '1m',
        stepWeight: 10,
        alerts: [{ name: 'team', providerRef: { name: 'slack' }, approvers }],
      },
    },
  }) as Canary;

describe('Slack approver lists', () => {
  it('accepts Slack member IDs on a slack provider and on a Canary alert entry', () => {
    expect(validateAlertProvider(provider({ approvers: ['U024BE7LH', 'W0123ABCD'] }))).toEqual([]);
    expect(validateCanary(canary(['U024BE7LH']))).toEqual([]);
  });

  it('refuses a name or @handle with a message that says where to find the member ID', () => {
    expect(validateAlertProvider(provider({ approvers: ['@alice'] }))).toEqual([
      {
        field: 'spec.approvers[0]',
        message:
          'is "@alice", not a Slack user ID: use the member ID (U… or W…, from the user\'s Slack profile: Copy member ID), not a name or @handle',
      },
    ]);
    expect(validateCanary(canary(['U024BE7LH', 'alice'])).map((i) => i.field)).toEqual([
      'spec.analysis.alerts[0].approvers[1]',
    ]);
  });

  it('refuses a user listed twice', () => {
    expect(validateCanary(canary(['U024BE7LH', 'U024BE7LH']))).toEqual([
      {
        field: 'spec.analysis.alerts[0].approvers[1]',
        message: 'repeats "U024BE7LH": list each user once',
      },
    ]);
  });

  it('refuses approvers on a provider that cannot carry buttons, naming the fix', () => {
    const issues = validateAlertProvider(
      provider({
        type: 'msteams',
        address: 'https://example.webhook.office.com/x',
        approvers: ['U024BE7LH'],
      }),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0].field).toBe('spec.approvers');
    expect(issues[0].message).toMatch(/only Slack alerts carry Approve and Roll back buttons: remove it/);
  });
});
