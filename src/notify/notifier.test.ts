import { describe, expect, it } from 'vitest';
import { DiscordNotifier } from './discord.ts';
import { GoogleChatNotifier } from './googlechat.ts';
import { MSTeamsNotifier } from './msteams.ts';
import { createNotifier, NotifyError, NullNotifier, type ProviderConfig } from './notifier.ts';
import { SlackNotifier } from './slack.ts';
import { sampleAlert } from './testing/alerts.ts';
import { WebhookNotifier } from './webhook.ts';

const ADDRESS = 'https://hooks.example.com/services/secret-token-0123456789';

describe('createNotifier', () => {
  it('builds the notifier for each provider type', () => {
    const cases = [
      ['slack', SlackNotifier],
      ['msteams', MSTeamsNotifier],
      ['discord', DiscordNotifier],
      ['googlechat', GoogleChatNotifier],
      ['webhook', WebhookNotifier],
    ] as const;
    for (const [type, cls] of cases) expect(createNotifier({ type, address: ADDRESS })).toBeInstanceOf(cls);
  });

  it('rejects unusable configs without echoing the address', () => {
    const bad: ProviderConfig[] = [
      { type: 'slack', address: '' },
      { type: 'slack', address: 'ftp://secret-token-0123456789' },
      { type: 'slack', address: 'not a url secret-token-0123456789' },
      { type: 'webhook', address: ADDRESS, proxy: 'socks://secret-token-0123456789' },
      { type: 'webhook', address: ADDRESS, timeoutMs: 0 },
      { type: 'pager' as 'slack', address: ADDRESS },
    ];
    for (const config of bad) {
      let caught: unknown;
      try {
        createNotifier(config);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(NotifyError);
      expect((caught as NotifyError).code).toBe('ERR_INVALID_CONFIG');
      expect((caught as Error).message).not.toContain('secret-token');
    }
  });

  it('names the provider in config errors', () => {
    expect(() => createNotifier({ type: 'msteams', address: '', name: 'ops/teams' })).toThrow(
      'msteams provider ops/teams: address is empty',
    );
  });
});

describe('NullNotifier', () => {
  it('accepts every alert', async () => {
    await expect(new NullNotifier().post(sampleAlert())).resolves.toBeUndefined();
  });
});
