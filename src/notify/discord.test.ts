import { describe, expect, it } from 'vitest';
import { discordAddress, discordMessage } from './discord.ts';
import { sampleAlert } from './testing/alerts.ts';

describe('discordAddress', () => {
  it("appends Discord's Slack-compatible suffix once, keeping the query", () => {
    const base = 'https://discord.com/api/webhooks/123/tok';
    expect(discordAddress(base)).toBe(`${base}/slack`);
    expect(discordAddress(`${base}/`)).toBe(`${base}/slack`);
    expect(discordAddress(`${base}/slack`)).toBe(`${base}/slack`);
    expect(discordAddress(`${base}?thread_id=9`)).toBe(`${base}/slack?thread_id=9`);
  });
});

describe('discordMessage', () => {
  it('is one coloured Slack attachment with facts and measurements', () => {
    const msg = discordMessage(sampleAlert(), { username: 'kanaria', channel: 'deploys' });
    expect(msg).toMatchObject({
      username: 'kanaria',
      channel: 'deploys',
      attachments: [
        {
          color: '#a30200',
          author_name: 'podinfo.test',
          title: 'podinfo.test rolled back',
          text: 'Canary analysis failed, podinfo.test rolled back\nReason: failed checks threshold reached 5',
          ts: Date.parse('2026-01-05T10:04:00Z') / 1000,
        },
      ],
    });
    const fields = (msg.attachments as { fields: { title: string; value: string }[] }[])[0].fields;
    expect(fields.map((f) => f.title)).toEqual(['Cluster', 'Phase', 'Weight', 'Severity', 'Measurements']);
    expect(fields[4].value).toContain('request-success-rate = 97.25: below threshold 99');
  });

  it('omits optional parts', () => {
    const msg = discordMessage(sampleAlert({ measurements: undefined, cluster: undefined, timestamp: 'x' }));
    expect(msg).not.toHaveProperty('username');
    const attachment = (msg.attachments as Record<string, unknown>[])[0];
    expect(attachment).not.toHaveProperty('ts');
    expect((attachment.fields as { title: string }[]).map((f) => f.title)).toEqual([
      'Phase',
      'Weight',
      'Severity',
    ]);
  });
});
