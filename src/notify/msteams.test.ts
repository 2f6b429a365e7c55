import { describe, expect, it } from 'vitest';
import { teamsAdaptiveCard, teamsMessageCard, teamsPayload, teamsSchemaFor } from './msteams.ts';
import { sampleAlert } from './testing/alerts.ts';

describe('teamsSchemaFor', () => {
  it('uses MessageCard for Office 365 connector URLs and Adaptive Cards otherwise', () => {
    expect(teamsSchemaFor('https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/def')).toBe(
      'message-card',
    );
    expect(teamsSchemaFor('https://outlook.office.com/webhook/abc')).toBe('message-card');
    expect(teamsSchemaFor('https://prod-01.westus.logic.azure.com:443/workflows/abc/triggers/manual')).toBe(
      'adaptive-card',
    );
    expect(teamsSchemaFor('http://127.0.0.1:8080/teams')).toBe('adaptive-card');
  });
});

describe('teamsMessageCard', () => {
  it('has the shape Flagger posts, coloured by severity', () => {
    const card = teamsMessageCard(sampleAlert());
    expect(card).toMatchObject({
      '@type': 'MessageCard',
      '@context': 'http://schema.org/extensions',
      themeColor: 'a30200',
      summary: 'podinfo.test rolled back',
      sections: [
        {
          activityTitle: 'Canary analysis failed, podinfo.test rolled back',
          activitySubtitle: 'podinfo.test rolled back',
        },
      ],
    });
    const facts = (card.sections as { facts: { name: string; value: string }[] }[])[0].facts;
    expect(facts).toEqual([
      { name: 'Cluster', value: 'prod-eu1' },
      { name: 'Phase', value: 'Failed' },
      { name: 'Weight', value: '20%' },
      { name: 'Severity', value: 'error' },
      { name: 'Reason', value: 'failed checks threshold reached 5' },
      { name: 'request-success-rate', value: 'request-success-rate = 97.25: below threshold 99' },
      { name: 'request-duration', value: 'request-duration = 612.123: above threshold 500ms' },
      { name: 'load-test', value: 'load-test: webhook load-test failed: 500' },
    ]);
  });
});

describe('teamsAdaptiveCard', () => {
  it('wraps an Adaptive Card 1.4 in a message', () => {
    const msg = teamsAdaptiveCard(sampleAlert());
    expect(msg).toMatchObject({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: { type: 'AdaptiveCard', version: '1.4', msteams: { width: 'Full' } },
        },
      ],
    });
    const json = JSON.stringify(msg);
    for (const text of ['podinfo.test rolled back', 'prod-eu1', '20%', 'failed checks threshold reached 5']) {
      expect(json).toContain(text);
    }
    expect(json).toContain('request-success-rate = 97.25: below threshold 99');
    expect(json).toContain('"color":"attention"');
  });

  it('has no measurement or reason blocks when there are none', () => {
    const json = JSON.stringify(
      teamsAdaptiveCard(sampleAlert({ measurements: [], reason: undefined, severity: 'info' })),
    );
    expect(json).not.toContain('Measurements');
    expect(json).not.toContain('Reason');
    expect(json).toContain('"color":"default"');
  });
});

describe('teamsPayload', () => {
  it('picks the card by address', () => {
    expect(teamsPayload(sampleAlert(), 'https://x.webhook.office.com/a')).toHaveProperty(
      '@type',
      'MessageCard',
    );
    expect(teamsPayload(sampleAlert(), 'https://x.logic.azure.com/a')).toHaveProperty('type', 'message');
  });
});
